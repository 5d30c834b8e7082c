"""_interpolation: filled in by its family issue."""
__all__ = []
