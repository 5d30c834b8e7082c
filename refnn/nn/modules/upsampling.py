"""upsampling modules: filled in by its family issue."""
__all__ = []
