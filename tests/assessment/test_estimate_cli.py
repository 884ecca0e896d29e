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
    assert not ENGLISH_SENTENCE.search(err), err


def _small_design_file(tmp_path, fpc: str) -> Path:
    """Two strata of three sampled units; stratum B's FPC is ``fpc`` on every row."""
    path = tmp_path / "design.csv"
    rows = [("A", 1, 10, 4), ("A", 2, 12, 4), ("B", 3, 7, fpc), ("B", 4, 9, fpc)]
    rows += [("A", 5, 11, 4), ("B", 6, 8, fpc)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["stratum", "id", "y", "N"])
        writer.writerows(rows)
    return path


def test_an_fpc_smaller_than_the_sample_is_refused_in_chinese_then_english(capsys, tmp_path):
    # Stratum B: three sampled units out of a population of 2 (R: "FPC implies >100% sampling").
    argv = [_small_design_file(tmp_path, "2"), "--var", "y", "--strata", "stratum", "--fpc", "N"]
    assert main([*map(str, argv)]) == 2
    err = capsys.readouterr().err
    assert "数据与抽样设计不符：" in err and "小于样本单位数" in err, err
    assert not ENGLISH_SENTENCE.search(err), err
    assert main([*map(str, argv), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "The data do not fit the design:" in err, err
    assert "is smaller than the number of sampled units" in err, err


def test_a_lonely_psu_with_lonely_psu_fail_is_refused_in_chinese_then_english(capsys, tmp_path):
    # Two strata, and stratum B holds a single cluster (id): R's svyvar stops on it.
    path = tmp_path / "lonely.csv"
    path.write_text("stratum,cluster,y,w\nA,1,10,2\nA,2,12,2\nB,3,7,3\nB,3,9,3\n")
    argv = [path, "--var", "y", "--strata", "stratum", "--cluster", "cluster", "--weight", "w"]
    argv += ["--lonely-psu", "fail"]
    assert main([*map(str, argv)]) == 2
    err = capsys.readouterr().err
    assert "层 B 只有一个初级抽样单元(PSU)" in err and "合并层" in err, err
    assert not ENGLISH_SENTENCE.search(err), err
    assert main([*map(str, argv), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "stratum B has only one PSU" in err and "merge strata" in err, err


def test_the_design_warning_speaks_the_command_language(capsys):
    # apiclus2 with an FPC for the first of two stages: stage 2 counts as with replacement.
    argv = [DATA / "apiclus2.csv", "--var", "api00", "--cluster", "dnum,snum", "--fpc", "fpc1"]
    argv += ["--weight", "pw", "--lonely-psu", "adjust"]
    assert main([*map(str, argv)]) == 0
    err = capsys.readouterr().err
    assert "assess estimate：警告：" in err and "第 2 阶段按放回抽样处理" in err, err
    assert not ENGLISH_SENTENCE.search(err), err
    assert main([*map(str, argv), "--lang", "en"]) == 0
    assert "stage 2 is taken as sampled with replacement" in capsys.readouterr().err


def test_help_describes_the_command_in_the_command_language(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "基于抽样设计" in out and "放回抽样" in out and "Design-based" not in out, out
    assert main(["--help", "--lang", "en"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Design-based estimates from an exported CSV or XLSX file" in out, out
    assert "sampling fractions when all its values are at most 1" in out, out


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
