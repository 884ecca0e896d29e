"""``assess estimate`` through ``main(argv)``, compared with R's published survey results.

R calls (../shared/oracles/expected.json and tests/reference/r_survey_extra.json):
- svymean(~api00, svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~fpc))
  = 662.29, SE 9.4089
- svymean(~api00, svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2)) = 670.81, SE 30.099
- svyby(~ell, ~stype, dclus1, svymean)[E] = 29.69444, SE 1.411617 (dclus1 as below)
- svymean(~stype, svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)):
  E 0.786885 (0.0463), H 0.076503 (0.0268), M 0.136612 (0.0296)
- svyratio(~api.stu, ~enroll, dclus1) = 0.8497087, SE 0.008386297
"""

import csv
import json
import re
from pathlib import Path

import pytest

from assessment.commands.estimate import main

DATA = Path(__file__).parents[1] / ".." / ".." / "shared" / "oracles" / "data"
CLUS1 = ["--cluster", "dnum", "--fpc", "fpc", "--weight", "pw"]
# Three Latin words in a row: an English sentence where Chinese was expected.
ENGLISH_SENTENCE = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}\b")


def run_json(capsys, *argv):
    assert main([*map(str, argv), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_stratified_mean(capsys):
    (row,) = run_json(
        capsys,
        DATA / "apistrat.csv",
        "--var",
        "api00",
        "--strata",
        "stype",
        "--weight",
        "pw",
        "--fpc",
        "fpc",
    )
    assert row["estimate"] == pytest.approx(662.29, abs=0.005)
    assert row["se"] == pytest.approx(9.4089, rel=5e-5)
    assert row["group"] is None and row["df"] == 197 and row["n"] == 200
    assert {"ci_low", "ci_high", "deff"} <= set(row)


def test_two_stage_mean_with_fpc_at_each_stage(capsys):
    (row,) = run_json(
        capsys,
        DATA / "apiclus2.csv",
        "--var",
        "api00",
        "--cluster",
        "dnum,snum",
        "--fpc",
        "fpc1,fpc2",
    )
    assert row["estimate"] == pytest.approx(670.81, abs=0.005)
    assert row["se"] == pytest.approx(30.099, rel=5e-5)


def test_domain_expression_keeps_the_design(capsys):
    (row,) = run_json(
        capsys, DATA / "apiclus1.csv", "--var", "ell", *CLUS1, "--domain", "stype == 'E'"
    )
    assert row["estimate"] == pytest.approx(29.69444, rel=5e-5)
    assert row["se"] == pytest.approx(1.411617, rel=5e-5)


def test_by_groups(capsys):
    rows = run_json(capsys, DATA / "apiclus1.csv", "--var", "ell", *CLUS1, "--by", "stype")
    assert [r["group"] for r in rows] == ["E", "H", "M"]
    assert rows[1]["se"] == pytest.approx(5.347065, rel=5e-5)


def test_categorical_proportion_gives_one_row_per_category(capsys):
    rows = run_json(capsys, DATA / "apiclus1.csv", "--var", "stype", "--stat", "proportion", *CLUS1)
    assert [r["category"] for r in rows] == ["E", "H", "M"]
    for row, (p, se) in zip(
        rows, [(0.786885, 0.0463), (0.076503, 0.0268), (0.136612, 0.0296)], strict=True
    ):
        assert row["estimate"] == pytest.approx(p, rel=5e-5)
        assert row["se"] == pytest.approx(se, abs=5e-5)
    assert rows[1]["method"] == "korn-graubard"  # 7.7 % is near 0: the documented rule


def test_ratio(capsys):
    (row,) = run_json(
        capsys, DATA / "apiclus1.csv", "--var", "api.stu", "--denominator", "enroll", *CLUS1
    )
    assert row["estimate"] == pytest.approx(0.8497087, rel=5e-5)
    assert row["se"] == pytest.approx(0.008386297, rel=5e-5)


def test_xlsx_input_gives_the_same_answer(capsys, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    with (DATA / "apistrat.csv").open(newline="") as handle:
        for record in csv.reader(handle):
            sheet.append(record)
    book.save(tmp_path / "apistrat.xlsx")
    (row,) = run_json(
        capsys,
        tmp_path / "apistrat.xlsx",
        "--var",
        "api00",
        "--strata",
        "stype",
        "--weight",
        "pw",
        "--fpc",
        "fpc",
    )
    assert row["se"] == pytest.approx(9.4089, rel=5e-5)


def test_table_output(capsys):
    assert main([str(DATA / "apiclus1.csv"), "--var", "api00", *CLUS1]) == 0
    out = capsys.readouterr().out
    assert "estimate" in out.splitlines()[0] and "644.169" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--var", "nope"], "no column 'nope'"),
        (["--var", "api00", "--domain", "__import__('os').system('true')"], "not allowed"),
        (["--var", "api00", "--domain", "stype +"], "not a valid expression"),
        (["--var", "api00", "--domain", "api00"], "must be a condition"),
        (["--var", "api00", "--stat", "ratio"], "needs --denominator"),
        (["--var", "api00", "--strata", "dnum"], "only one PSU"),
    ],
)
def test_errors_go_to_stderr_with_a_non_zero_exit(capsys, argv, message):
    assert main([str(DATA / "apiclus1.csv"), *argv, "--weight", "pw", "--lang", "en"]) != 0
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--var", "nope"], "数据中没有列 'nope'"),
        (["--var", "api00", "--domain", "__import__('os').system('true')"], "不允许使用 Call"),
        (["--var", "api00", "--domain", "stype +"], "--domain 不是有效的表达式"),
        (["--var", "api00", "--stat", "ratio"], "--stat ratio 需要 --denominator"),
        (["--var", "stype"], "--var stype 不是数值列"),
        (["--var", "api00", "--strata", "dnum"], "数据与抽样设计不符"),
    ],
)
def test_errors_are_in_the_default_language_chinese(capsys, argv, message):
    # No --lang: the default language of development.ini (Chinese when it names none).
    assert main([str(DATA / "apiclus1.csv"), *argv, "--weight", "pw"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("assess estimate：错误：") and message in err, err
    if "抽样设计" not in message:  # the estimators' own detail stays as R words it
        assert not ENGLISH_SENTENCE.search(err), err


def test_a_missing_file_and_a_bad_option_are_refused_in_chinese(capsys, tmp_path):
    assert main([str(tmp_path / "absent.csv"), "--var", "x"]) == 2
    assert "找不到文件" in capsys.readouterr().err
    assert main([str(DATA / "apiclus1.csv"), "--var", "x", "--stat", "median"]) == 2
    err = capsys.readouterr().err
    assert "无效的选项：'median'" in err and "用法：" in err
    assert main([str(DATA / "apiclus1.csv"), "--var", "x", "--stat", "median", "--lang", "en"])
    assert "invalid choice: 'median'" in capsys.readouterr().err


def test_domain_supports_in_lists_and_boolean_operators(capsys):
    rows = run_json(
        capsys,
        DATA / "apiclus1.csv",
        "--var",
        "ell",
        *CLUS1,
        "--domain",
        "stype in ['E'] and not (api00 < 0)",
    )
    assert rows[0]["se"] == pytest.approx(1.411617, rel=5e-5)
