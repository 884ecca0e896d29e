"""exit-assessment: the Pyramid application shell and the statistics of the assessment.

Pyramid is imported inside :func:`main` only, so that the pure modules of this package
(``estimation``, ``indicators``, ``i18n``) can be imported without any web framework.
"""


def main(global_config, **settings):
    """Build the WSGI application (the ``paste.app_factory`` entry point)."""
    from assessment.app import make_app

    return make_app(global_config, **settings)
