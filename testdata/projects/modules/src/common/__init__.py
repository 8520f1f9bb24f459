from .db import save

__all__ = ["save"]
