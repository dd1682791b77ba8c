"""signcam: reads American Sign Language fingerspelling from a webcam."""

__version__ = "0.1.0"
