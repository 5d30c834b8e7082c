"""_distance: filled in by its family issue."""
__all__ = []
