"""Package metadata and dependencies for exit-assessment (tool settings live in pyproject.toml)."""

from setuptools import find_packages, setup

# Ranges say what the code supports; requirements/*.txt (`make lock`) say what is installed and
# tested. Runtime dependencies are what the runtime imports, each with its reason.
requires = [
    "pyramid>=2.0",  # the web framework
    "pyramid_jinja2>=2.10",  # page templates
    "pyramid_tm>=2.5",  # one transaction per request
    "pyramid_retry>=2.1",  # retry a request that hit a serialisation conflict
    "zope.sqlalchemy>=3.0",  # joins the SQLAlchemy session to the request's transaction
    "transaction>=4.0",  # the transaction manager pyramid_tm and the CLI use
    "SQLAlchemy>=2.0",  # models and queries
    "alembic>=1.12",  # migrations, the only way the schema is created
    "WTForms>=3.3",  # forms; SelectChoice options (tuple choices are deprecated)
    "argon2-cffi>=23.1",  # password hashing (argon2id), as the security policy requires
    "waitress>=3.0",  # the WSGI server of `make run` and production
    "plaster_pastedeploy",  # reads the ini files (pserve, bootstrap)
    "Babel>=2.14",  # message catalogs (zh default, en switchable)
    "numpy>=1.26",  # the draw and the estimators (a frame's columns are numpy arrays)
    "scipy>=1.11",  # t and beta quantiles of the intervals; sample sizes
    # frame files: one columnar table, CSV read with every column as text, and the checks as
    # polars expressions (no hand-written parser of uploaded files)
    "polars>=1.30",
    # XLSX frames: calamine (Rust, memory-safe) into Arrow; openpyxl reads ~6,000 rows/s
    "fastexcel>=0.14",
    "openpyxl>=3.1",  # XLSX exports (and reading small workbooks elsewhere)
    "reportlab>=4.0",  # the county and provincial PDFs
    "psycopg[binary]>=3.1",  # PostgreSQL driver; COPY for bulk frame import
    "tqdm>=4.66",  # CLI progress bars for long imports and draws
    # request bodies of the JSON API and the answers of the forms checked against schemas with
    # limits (sizes, counts, numbers); the OpenAPI document is generated from the same models
    "pydantic>=2.7",
    "defusedcsv>=2.0",  # CSV cells that a spreadsheet would run as formulas are neutralised
    # photos decoded, checked (dimension cap, decompression bombs) and re-encoded as JPEG
    # without EXIF; reportlab pulls it too, but the upload path relies on it directly
    "Pillow>=10.3",
]

tests_require = [
    "pytest>=8",
    "WebTest>=3.0",
    "hypothesis>=6.100",
    "ruff>=0.6",
    "pypdf>=4",
    "playwright>=1.45",  # drives Debian's chromium (executablePath), never downloads a browser
    "statsmodels>=0.14",  # a reference for the binomial intervals (tests only)
    "jsonschema>=4.18",  # checks bodies against the served OpenAPI document (tests only)
]

setup(
    name="exit-assessment",
    version="0.1.0",
    description="Independent third-party exit assessments of poverty-alleviation programmes",
    packages=find_packages(
        include=["assessment*", "sampling*", "surveys*", "reports*", "appeals*", "backchecks*"]
    ),
    include_package_data=True,
    package_data={
        "assessment": ["templates/**/*", "static/**/*", "locale/**/*", "migrations/*.mako"],
        "sampling": ["templates/**/*"],
        "surveys": ["templates/**/*", "definitions/*.json"],
        "reports": ["templates/**/*", "fonts/*"],
        "appeals": ["templates/**/*"],
        "backchecks": ["templates/**/*", "definitions/*.json"],
    },
    zip_safe=False,
    python_requires=">=3.11",
    install_requires=requires,
    extras_require={"test": tests_require},
    entry_points={
        "paste.app_factory": ["main = assessment:main"],
        "console_scripts": ["assess = assessment.cli:main"],
    },
)
