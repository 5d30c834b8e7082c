class InvalidModelError(ValueError): pass
class UnsupportedOperatorError(NotImplementedError): pass
OnnxGraphModule = None
def load(path): pass
