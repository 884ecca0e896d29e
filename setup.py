"""Package metadata and dependencies for exit-assessment (tool settings live in pyproject.toml)."""

from setuptools import Extension, find_packages, setup

requires = [
    "pyramid>=2.0",
    "pyramid_jinja2>=2.10",
    "pyramid_tm>=2.5",
    "pyramid_retry>=2.1",
    "zope.sqlalchemy>=3.0",
    "transaction>=4.0",
    "SQLAlchemy>=2.0",
    "alembic>=1.12",
    "WTForms>=3.3",  # SelectChoice options (tuple choices are deprecated)
    "argon2-cffi>=23.1",  # password hashing (argon2id), as the security policy requires
    "waitress>=3.0",
    "plaster_pastedeploy",
    "Babel>=2.14",  # message catalogs (zh default, en switchable)
    "numpy>=1.26",
    "scipy>=1.11",
    "statsmodels>=0.14",
    # hash-table factorize of frame columns in the fast CSV import (statsmodels needs it anyway)
    "pandas>=2.0",
    "openpyxl>=3.1",  # XLSX exports (and reading small workbooks elsewhere)
    # XLSX frames are read with calamine (Rust): openpyxl reads only ~6,000 rows/s
    "python-calamine>=0.9.1",
    "reportlab>=4.0",
    "psycopg[binary]>=3.1",  # PostgreSQL driver; COPY for bulk frame import
    "tqdm>=4.66",  # CLI progress bars for long imports and draws
]

tests_require = [
    "pytest>=8",
    "WebTest>=3.0",
    "hypothesis>=6.100",
    "ruff>=0.6",
    "pypdf>=4",
    "playwright>=1.45",  # drives Debian's chromium (executablePath), never downloads a browser
]

# Optional C helpers: without a C compiler the package installs and the same results come
# slower (calamine reads every workbook; the frame hash joins its lines in Python).
native = [
    Extension("sampling._xlsx_scan", ["sampling/_xlsx_scan.c"], optional=True),  # frame_xlsx.py
    Extension("sampling._join", ["sampling/_join.c"], optional=True),  # frame_hash.py
]

setup(
    name="exit-assessment",
    version="0.1.0",
    description="Independent third-party exit assessments of poverty-alleviation programmes",
    packages=find_packages(include=["assessment*", "sampling*", "surveys*", "reports*"]),
    include_package_data=True,
    package_data={
        "assessment": ["templates/**/*", "static/**/*", "locale/**/*", "migrations/*.mako"],
        "sampling": ["templates/**/*"],
        "surveys": ["templates/**/*", "definitions/*.json"],
        "reports": ["templates/**/*", "fonts/*"],
    },
    ext_modules=native,
    zip_safe=False,
    python_requires=">=3.11",
    install_requires=requires,
    extras_require={"test": tests_require},
    entry_points={
        "paste.app_factory": ["main = assessment:main"],
        "console_scripts": ["assess = assessment.cli:main"],
    },
)
