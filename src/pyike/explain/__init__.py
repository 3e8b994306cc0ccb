"""``pyike explain``: read real IOS, IOS-XE and ASA IKEv2 debug logs and say what went wrong.

Pipeline: :mod:`~pyike.explain.routers` (a multi-router stream split per router) ->
:mod:`~pyike.explain.lines` (tolerant reader) -> :mod:`~pyike.explain.recognise`
(dialects) -> :mod:`~pyike.explain.timeline` (one timeline per IKE SA and router) ->
:mod:`~pyike.explain.diagnose` (verdict) -> renderers (text, Markdown, JSON, HTML).
"""

from pyike.explain.report import Report, explain_texts

__all__ = ["Report", "explain_texts"]
