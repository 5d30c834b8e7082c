"""The compliance report's pieces: the torch.nn entries refnn covers (data), running the registry,
the feature matrix, the audits, and the Markdown/HTML/JUnit renderers.

``tools/compliance_report.py`` is the command; everything it writes is rendered
from one dict, the content of ``report.json`` (see ``build.SCHEMA_VERSION``).
"""
