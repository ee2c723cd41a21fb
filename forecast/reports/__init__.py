"""What users read: figures (``plots``: ax in, figure out), text renderers of every command's
result (``text``), the recalibration report's files (``recalibration``) and the decision memo
(``memo``: HTML, Markdown and PDF from Jinja2 templates)."""
