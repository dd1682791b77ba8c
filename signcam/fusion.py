"""Combining the CNN's and the landmark model's letter probabilities into the one confidence the app shows.

A weighted geometric mean, renormalised: two models that agree reinforce each other, and a disagreement lowers
the confidence toward "unsure" (benchmarks/README.md compares it with the arithmetic mean). `temperature`
then sharpens or softens the result so that its confidence means what it says on people the models never saw.
Both constants are chosen leave-one-person-out (benchmarks/real_photos.py --lopo; training/landmarks.py).
"""

import numpy as np

# Chosen with the CNN of branch i14 (Sign-MNIST + extra/'s crops, four extra/ persons held out) on the nine persons
# neither model saw (those four + real_dev's five; 1,650 hands; the landmark model's held-out logits). Share of the
# landmark model, where the locator gave landmarks: 0.6-0.7 minimise the NLL on the other eight for every one of
# the nine (0.6 x4, 0.7 x5); mean top-1 per person 0.921 at 0.6-0.7, 0.912 landmarks alone, 0.568 CNN alone.
LANDMARK_SHARE = 0.7
# Divides the fused log-probabilities. The NLL-best 0.7-0.8 is calibrated (ECE 0.02) but shows letters that are 94%
# right at the app's threshold 0.6; 0.9 is the sharpest that keeps both promises on those nine persons: ECE 0.043
# (<= 0.05), a letter shown for 89% of found hands (>= 75%), 95.0% of them right (>= 95%). 1.0: ECE 0.082.
FUSED_TEMPERATURE = 0.9

def fuse_probabilities(cnn: np.ndarray, landmarks: np.ndarray, share: float,
                       temperature: float = FUSED_TEMPERATURE) -> np.ndarray:
    """softmax(((1 - share) log cnn + share log landmarks) / temperature) of two (..., 24) probability arrays."""
    log_p = (1.0 - share) * np.log(np.maximum(cnn, 1e-12)) + share * np.log(np.maximum(landmarks, 1e-12))
    log_p = log_p / temperature
    fused = np.exp(log_p - log_p.max(axis=-1, keepdims=True))
    return fused / fused.sum(axis=-1, keepdims=True)
