"""Compiled core of refnn: the Tensor's hot fields and the autograd engine (``refnn._C.core``)."""
