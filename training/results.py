"""What a finished training run reports to the app: one typed value, defined once, no torch, no Qt.

training.runner writes it as the "finished" JSON event (`to_event()`); the app's TrainingProcess reads
it back (`from_event()`) and hands the Retrain dialog a RunResult, never a loose dict whose keys two
places would have to agree on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields


@dataclass(frozen=True)
class RunResult:
    weights: str | None  # the candidate weights written, None for a dry run
    test: dict  # classification_metrics on the test CSV: accuracy, n, per_letter, confusion
    best_epoch: int
    val_acc: float
    temperature: float
    history: list[dict] = field(default_factory=list)  # EpochStats per epoch, as dicts
    personal: dict = field(default_factory=dict)  # the same metrics on the held-back personal samples
    baseline: dict = field(default_factory=dict)  # {"test": ..., "personal": ...} of the weights in use
    judgement: dict = field(default_factory=dict)  # training.judge.judge() of a personal fine-tune: verdict, message

    def to_event(self) -> dict:
        return asdict(self)

    @classmethod
    def from_event(cls, payload: dict) -> RunResult:
        """From the runner's "finished" event (extra keys such as "event" are ignored)."""
        values = {f.name: payload[f.name] for f in fields(cls) if f.name in payload}
        return cls(**{k: v for k, v in values.items() if v is not None or k == "weights"})  # None -> the default
