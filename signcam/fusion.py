"""Combining the CNN's and the landmark model's letter probabilities into the one confidence the app shows.

A weighted geometric mean, renormalised: two models that agree reinforce each other, and a disagreement lowers
the confidence toward "unsure" (benchmarks/README.md compares it with the arithmetic mean). `temperature`
then sharpens or softens the result so that its confidence means what it says on people the models never saw.
Both constants are chosen leave-one-person-out (benchmarks/real_photos.py --lopo; training/landmarks.py).
"""

import numpy as np

# Share of the landmark model in the combined probabilities, where the locator gave landmarks.
LANDMARK_SHARE = 0.7
# Divides the fused log-probabilities (fitted by held-out NLL): < 1 sharpens an under-confident combination.
FUSED_TEMPERATURE = 1.0


def fuse_probabilities(cnn: np.ndarray, landmarks: np.ndarray, share: float,
                       temperature: float = FUSED_TEMPERATURE) -> np.ndarray:
    """softmax(((1 - share) log cnn + share log landmarks) / temperature) of two (..., 24) probability arrays."""
    log_p = (1.0 - share) * np.log(np.maximum(cnn, 1e-12)) + share * np.log(np.maximum(landmarks, 1e-12))
    log_p = log_p / temperature
    fused = np.exp(log_p - log_p.max(axis=-1, keepdims=True))
    return fused / fused.sum(axis=-1, keepdims=True)
