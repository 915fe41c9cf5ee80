"""Exporters: the ways a build writes its papers' views (exams/view.py).

latex.py renders a chunk of papers to LaTeX and typesets it (exam.tex, key.tex, their PDFs
and per-student PDFs); json.py writes exam.json; html.py and text.py show one question.
A build (exams/build.py) runs an exporter's per-chunk work in its worker processes
(exams/pipeline.py) and joins what the chunks made. A new output is a new module here; no
family changes.
"""
