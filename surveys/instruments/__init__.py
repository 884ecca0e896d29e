"""Instruments (questionnaires) as data: the PURE core of the survey feature.

``model`` (the frozen dataclasses), ``expressions`` (skip logic and checks), ``definition`` (a
JSON definition checked and frozen; the built-in ones), ``definition_graph`` (names, order, a dry
run), ``evaluation``, ``validation`` and ``verdicts``. No web or database code is imported here.
"""
