"""``pyike explain``: read real IOS, IOS-XE and ASA IKEv2 debug logs, strongSwan's and
Libreswan's logs, and say what went wrong.

Pipeline: :mod:`~pyike.explain.routers` (a multi-router stream split per router) ->
:mod:`~pyike.explain.lines` (tolerant reader) -> :mod:`~pyike.explain.recognise`
(dialects) -> :mod:`~pyike.explain.timeline` (one timeline per IKE SA and router); charon's
and pluto's logs go straight to timelines (:mod:`~pyike.explain.charon`,
:mod:`~pyike.explain.pluto`) -> :mod:`~pyike.explain.diagnose` (verdict) ->
:mod:`~pyike.explain.pairing` (one IKE SA in two ends' logs: a verdict from both) ->
renderers (text, Markdown, JSON, HTML).
"""

from pyike.explain.report import Report, explain_texts

__all__ = ["Report", "explain_texts"]
