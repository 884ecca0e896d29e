"""Report wording in Chinese (default) and English (PURE).

The report content is fixed wording in two languages, kept here as one table rather than in
the message catalogs: a locked report must not change when a translation is edited later.
"""

from __future__ import annotations

LANGUAGES = ("zh", "en")

_ZH = {
    "title_county": "贫困县退出专项评估检查报告",
    "title_province": "贫困县退出专项评估检查省级汇总报告",
    "simulated": "模拟数据",
    "simulated_note": "本报告使用模拟数据生成，仅供演示，不得作为评估结论使用。",
    "draft": "草稿",
    "draft_note": "草稿：本报告尚未签发。",
    "signed_off": "已签发",
    "scheme": "评估方案",
    "year": "年度",
    "province": "省份",
    "county": "县（市、区）",
    "period": "评估时间",
    "institution": "评估机构",
    "team_leaders": "评估组长",
    "version": "报告版本",
    "report_date": "报告日期",
    "status": "状态",
    "page": "第 {n} 页",
    "s_conclusion": "一、评估结论",
    "s_charts": "二、指标图示",
    "s_coverage": "三、样本覆盖",
    "s_problems": "四、问题清单",
    "s_methods": "附录 方法说明",
    "s_counties": "各县评估结果",
    "s_county_chart": "各县指标图示",
    "verdict_exit_recommended": "建议同意退出",
    "verdict_not_met": "不符合退出条件",
    "verdict_inconclusive": "结论待定：部分指标不能以95%置信度判定",
    "verdict_insufficient_data": "数据不足",
    "short_state_no_round": "未列入批次",
    "short_state_no_frame": "无抽样框",
    "short_state_no_plan": "未抽样",
    "short_state_no_interviews": "尚无审核通过的问卷",
    "short_state_interim": "中期",
    "short_state_final": "部分指标无法估计",
    "borderline": "临界",
    "interim": "中期",
    "insufficient_data": "数据不足",
    "conf_insufficient_data": "数据不足",
    "state_no_round": "本县未列入任何评估批次。",
    "state_no_frame": "尚未导入抽样框。",
    "state_no_plan": "尚未抽取样本。",
    "state_no_interviews": "尚无审核通过的入户问卷。",
    "state_interim": "实地调查尚未完成。",
    "state_final": "实地调查已完成，但部分指标无法估计。",
    "fieldwork_progress": (
        "计划样本户 {planned} 户，已了结 {done} 户（审核通过，或替补户用尽仍无法入户）。"
    ),
    "insufficient_items": "无法估计的指标：{items}。",
    "interim_note": "以下数字为中期结果，仅供了解进度，不据此提出任何退出建议。",
    "verdict_confidence_meets": "置信结论：四项指标均以95%以上置信度符合退出条件。",
    "verdict_confidence_fails": "置信结论：不符合的指标以95%以上置信度不符合。",
    "verdict_confidence_inconclusive": "置信结论：临界，部分指标不能以95%置信度判定。",
    "fieldwork_closed": "实地调查由{name}于{date}宣布结束，原因：{reason}",
    "col_estimate_interim": "估计值（中期）",
    "col_bound": "95%单侧界",
    "bound_note": (
        "估计值为加权估计。95%单侧界：错退率、漏评率和综合贫困发生率为单侧95%置信上界，"
        "群众认可度为单侧95%置信下界。单侧95%界在阈值以内为“以95%以上置信度符合”；整个95%置信"
        "区间都在阈值不利的一侧（三项比率在阈值之上，群众认可度在阈值之下）为“以95%以上置信度"
        "不符合”；其余为“不确定”，并给出在标准内的概率。区间如何计算、在模拟中是否守住其置信度，"
        "见“附录 方法说明”中的“区间与置信结论”。"
    ),
    "bound_method_label": "区间与置信结论",
    "bound_method": (
        "三项比率的95%置信区间与单侧界如上行“置信区间方法”所述，村内相关系数 ρ 见下。"
        "评估批次记录了排查模型时，有排查的县的漏评率改按排查普查模型计算有效样本量（有排查标记"
        "的户视为本村非建档立卡户名单的普查，两组的相对比率与村内相关由至少 10 个县合并估计，"
        "见下）。在模拟的县（真实比率 0.4%–3.9%，村内相关 0.06 与 0.20，含排查户，有无 10% "
        "失联户，ρ 与排查模型由其他 20 个县合并估计，按 100 次不同的合并结果平均）中，错退率与按"
        "排查普查模型计算的漏评率，真实值高于单侧上界的比例不超过 2.3%，95%置信区间覆盖真实值的"
        "比例为 94%–98.3%（多数偏保守）；未记录排查模型时漏评率按村级模型计算，模拟（村内相关"
        " 0.06）中区间覆盖率为 99.2%–99.8%（偏保守）。村内聚集更强（村内相关 0.20、0.33）而仍"
        "用规划值 0.10 时，上界可能偏宽松（模拟中真实值高于上界的比例最高 8.8%），故评估批次可"
        "改用由各县数据合并估计的 ρ。“以95%以上置信度不符合”要求整个95%置信区间都在阈值不利的一侧"
        "（三项比率在阈值之上，群众认可度在阈值之下），即依据区间的 2.5% 端：在同一模拟中真实值"
        "低于该端的比例为 1.7%–6%（32 种情形中 3 种超过 5.5%），即这一结论的实际置信度约为"
        " 94%–98.3%；改用前所依据的单侧95%下界在模拟中只有约 91%–96.5% 的置信度。"
        "“以95%以上置信度符合”仍依据单侧95%界。"
    ),
    "icc_heading": "稀有比率的村内相关系数 ρ",
    "icc_planning": "{indicator}：ρ = {value}（规划值）",
    "icc_pooled": (
        "{indicator}：ρ = {value}（由评估批次“{round}”的 {counties} 个县、{villages} 个村、"
        "{events} 户事件合并估计，{date} 起用）"
    ),
    "icc_census": (
        "{indicator}：有效样本量按排查普查模型计算（排查户视为本村非建档立卡户名单的普查；"
        "普查组相对比率 {k_c}、村内相关 ρ = {rho_c}，未标记组相对比率 {k_u}、ρ = {rho_u}；"
        "由评估批次“{round}”的 {counties} 个有排查的县合并估计，{date} 起用），不用上列 ρ"
    ),
    "col_part": "样本部分",
    "col_village_class": "村类别",
    "part_random": "随机抽取村",
    "part_purposive": "目标抽取村（单列）",
    "part_screening": "排查户（单列）",
    "class_poor": "贫困村",
    "class_non_poor": "非贫困村",
    "class_remote": "偏远村",
    "status_exited": "已脱贫户",
    "status_not_exited": "未脱贫户",
    "status_non_registered": "非建档立卡户",
    "villages_remote": "样本偏远村",
    "coverage_note": (
        "户数为未加权计数。替补户完成的问卷计入其所替换样本户的格。排查户与目标抽取村单列："
        "排查户不计入非建档立卡户样本；目标抽取村不计入加权估计。"
    ),
    "response_heading": "应答情况",
    "col_group": "类别",
    "col_due": "应访户",
    "col_interviewed": "完成",
    "col_not_reached": "未能入户",
    "col_open": "未了结",
    "response_note": (
        "应答率（AAPOR RR1）= 完成并审核通过的户数 ÷ 应访户数（样本户、排查户及已启用的替补户），"
        "未加权。"
    ),
    "reserves_heading": "替补户使用情况（按村和户类型）",
    "sensitivity_wrongful_exit_rate": (
        "敏感性（最坏情形）：错退率估计为 {estimate}；若所有未能入户的样本户（含由替补户替换的户）"
        "均为错退户，错退率为 {worst}。"
    ),
    "sensitivity_missed_rate": (
        "敏感性（最坏情形）：漏评率估计为 {estimate}；若所有未能入户的非建档立卡样本户和排查户"
        "均为漏评户，漏评率为 {worst}。"
    ),
    # the same lines when the rate itself has no estimate: say so, never "估计为 –"
    "sensitivity_wrongful_exit_rate_no_estimate": (
        "敏感性（最坏情形）：数据不足，错退率无法估计；若所有未能入户的样本户（含由替补户替换的户）"
        "均为错退户，错退率为 {worst}。"
    ),
    "sensitivity_missed_rate_no_estimate": (
        "敏感性（最坏情形）：数据不足，漏评率无法估计；若所有未能入户的非建档立卡样本户和排查户"
        "均为漏评户，漏评率为 {worst}。"
    ),
    "nonresponse": "无应答处理",
    "nonresponse_text": (
        "未能入户的样本户由同村同类型的替补户按顺序替换；替补户用尽后，按“样本村 × 户类型”"
        "（排查户按样本村）分格调整权数：格内已完成户的权数按格内全部应访户的权数放大。"
        "某格没有完成户时，其权数并入同层中按抽样框顺序最近且有完成户的村的同类格；"
        "同层没有时，并入全部同类完成户。带排查标记的样本户未能入户时，替补户（均无排查标记）"
        "只代替它参加认可度调查，不计入漏评；该户作为本村排查普查中未能入户的户，其权数由本村已"
        "完成的排查户分担。这样做的假设是：同一格内未能入户的户与已完成的户相似。"
        "敏感性一行给出最坏情形，即所有未能入户的户都不符合标准时的比率，"
        "显示结论在多大程度上依赖这一假设。"
    ),
    "sample_size": "判定所需样本量",
    "sample_size_text": (
        "按“合格 / 不合格”判定计算样本量时计入设计效应：错退按人口计数，而人口按户、按村成群，"
        "n 人只相当于 n ÷ 设计效应 个独立个体，故先按独立个体求出满足两类风险的有效样本量，"
        "再乘以设计效应得到应调查的人数。设计效应在抽样设计页面输入，或由本县以往实地调查的"
        "错退率估计（不小于 1）；无以往数据时约取户均人口 3。"
    ),
    "col_village": "行政村",
    "col_released": "已启用",
    "col_left": "剩余",
    "verdict_detail_exit_recommended": "四项指标均符合退出条件。",
    "verdict_detail_not_met": "不符合退出条件的指标：{items}。任何一项指标不符合条件的，不予退出。",
    "verdict_detail_inconclusive": "四项指标的估计值均符合退出条件。",
    "inconclusive_items": "不能以95%置信度判定的指标：{items}。",
    "poverty_incidence": "综合贫困发生率",
    "wrongful_exit_rate": "错退率",
    "missed_rate": "漏评率",
    "recognition_rate": "群众认可度",
    "col_indicator": "指标",
    "col_estimate": "估计值",
    "col_ci": "95%置信区间",
    "col_threshold": "标准",
    "col_verdict": "判定",
    "col_confidence": "置信结论",
    "meets": "符合",
    "fails": "不符合",
    "conf_meets": "以95%以上置信度符合",
    "conf_fails": "以95%以上置信度不符合",
    "conf_inconclusive": "不确定",
    "prob_within": "在标准内的概率 {p}",
    "chart_indicators": "图1  四项指标估计值、95%置信区间与标准",
    "chart_townships": "图2  分乡镇指标",
    "chart_types": "图3  分户类型群众认可度",
    "chart_counties": "各县指标估计值、95%置信区间与标准",
    "legend_estimate": "估计值",
    "legend_ci": "95%置信区间",
    "legend_threshold": "标准",
    "legend_meets": "符合",
    "legend_fails": "不符合",
    "legend_inconclusive": "不确定",
    "no_breakdown": "本快照未提供分组估计。",
    "townships": "样本乡镇",
    "villages_poor": "样本贫困村",
    "villages_non_poor": "样本非贫困村",
    "villages_purposive": "其中目标抽取村（偏远等）",
    "interviews_completed": "完成入户问卷",
    "substitutions": "替补户",
    "col_household_type": "户类型",
    "col_planned": "计划",
    "col_completed": "完成",
    "col_completion": "完成率",
    "col_reason": "替补原因",
    "col_count": "户数",
    "col_rate_label": "应答类别",
    "col_response_rate": "应答率",
    "coverage_units": "抽样单位",
    "problems_total": "共发现问题户 {n} 户：错退 {w} 户，漏评 {m} 户，不认可 {r} 户。",
    "problems_none": "未发现问题户。",
    "problems_restricted": (
        "本版本只列问题户的户数和类别；逐户清单（户编号、村、人数、调查员说明）"
        "仅向有权查看农户的角色提供。"
    ),
    "col_problem_category": "问题类别 / 未达标准",
    "col_households": "户数",
    "kind_wrongly_exited": "错退户",
    "kind_missed": "漏评户",
    "kind_not_recognising": "不认可户",
    "col_no": "序号",
    "col_place": "乡镇 / 村",
    "col_household": "户编号",
    "col_persons": "人数",
    "col_standards": "未达标准",
    "col_reasons": "调查员说明",
    "col_review": "审核状态",
    "income_ok": "收入",
    "food_ok": "不愁吃",
    "clothing_ok": "不愁穿",
    "schooling_ok": "义务教育",
    "medical_ok": "基本医疗",
    "housing_ok": "住房安全",
    "water_ok": "饮水安全",
    "review_pending": "待审核",
    "review_approved": "通过",
    "review_returned": "退回",
    "review_appealed": "申诉中",
    "review_upheld": "申诉未采纳",
    "review_overturned": "申诉已采纳",
    "frame_hash": "抽样框哈希（SHA-256）",
    "plan_id": "抽样方案编号",
    "design": "抽样设计",
    "seed_commitment": "随机种子承诺值",
    "verify_draw": (
        "抽样可复核：抽样前公布随机种子的承诺值（哈希），抽样后公开种子。任何人可运行 "
        "<font name='{mono}'>assess verify-draw {plan}</font> ，用同一抽样框和种子重新抽样，"
        "核对样本与本报告一致、种子与承诺值一致。"
    ),
    "estimators": "估计方法",
    "ci_method": "置信区间方法",
    "instrument_version": "问卷版本",
    "col_stratum": "层",
    "col_population": "总体单位数",
    "col_sample": "样本单位数",
    "col_unit": "单位",
    "unit_village": "行政村",
    "unit_household": "户",
    "unit_township": "乡镇",
    "col_numerator": "分子（未加权）",
    "col_denominator": "分母（未加权）",
    "counts_heading": "指标的分子与分母（未加权计数；估计值为加权估计）",
    "strata_heading": "各层样本量",
    "col_county": "县",
    "col_interviews": "样本户",
    "col_problems": "问题户",
    "province_summary": (
        "共 {n} 个县：建议同意退出 {ok} 个，不符合退出条件 {bad} 个，结论待定 {unk} 个，"
        "数据不足 {ins} 个。不符合和待定的县列在前面。"
    ),
    "province_chart_note": "符号颜色表示置信结论；虚线为标准。",
    # The appeal (申诉举证, issue 19).
    "s_appeals": "五、申诉举证与裁定",
    "appeals_summary": (
        "向县级公布疑似问题户 {n} 户：认可 {acc} 户，截止时未答复 {none} 户，提出异议 {dis} 户；"
        "专家组维持认定 {up} 户，不予认定 {over} 户，待裁定 {open} 户。"
        "不予认定的户不计入指标和问题清单。"
    ),
    "appeals_interim": "尚有案例未作最终裁定，本报告结果为中期结果。",
    "appeals_cases": "各案例的县级答复、举证材料与裁定",
    "col_before_rulings": "裁定前",
    "col_after_rulings": "裁定后",
    "col_case_kind": "类别",
    "col_answer": "县级答复",
    "col_evidence": "举证材料",
    "col_ruling": "裁定",
    "appeal_response_accepted": "认可",
    "appeal_response_disputed": "提出异议",
    "appeal_response_none": "未答复",
    "appeal_ruling_upheld": "维持认定",
    "appeal_ruling_overturned": "不予认定",
    "appeal_ruling_revisit": "复访中",
    "appeal_ruling_revisit_upheld": "复访后维持认定",
    "appeal_ruling_revisit_overturned": "复访后不予认定",
    "appeal_ruling_revisit_failed": "复访未能完成，待重新裁定",
    "appeal_ruling_revisit_failed_upheld": "复访未能完成，维持认定",
    "appeal_ruling_revisit_failed_overturned": "复访未能完成，不予认定",
    "appeal_ruling_none": "–",
    "appeal_earlier": "此前的裁定",
    "problem_earlier": "复访未能完成，重新裁定（此前的裁定见第五部分）",
    "appeal_earlier_revisit": "责成复访",
    "appeal_earlier_upheld": "维持认定",
    "appeal_earlier_overturned": "不予认定",
    "appeal_earlier_team": "复访评估组：{team}",
    "appeal_earlier_failed": "复访未能完成（{outcome}）",
    "contact_interviewed": "已访问",
    "contact_absent": "不在家",
    "contact_refused": "拒访",
    "contact_moved": "已迁出",
    "contact_deceased": "已故",
    "contact_not_found": "查无此户",
    "version_draft": "未编号草稿",
    "simulated_mark": "【模拟数据】",
    "institution_demo": "第三方评估机构（示范）",
    "seed": "种子",
    "estimators_ratio_taylor": (
        "加权比率估计（按人口计），方差用泰勒线性化，以行政村为初级抽样单位、村类别为层"
        "（有放回近似）；综合贫困发生率的方差用德尔塔法。"
    ),
    "method_korn-graubard": "Korn–Graubard 区间（精确二项，按有效样本量）",
    "method_korn-graubard-kish": (
        "稀有比率的区间（有效样本量的设计效应不低于权数与户规模的 Kish 设计效应）：95%置信区间为"
        " Wilson 得分区间，其上限不低于单侧界；单侧界为 Korn–Graubard 界（精确二项），自由度按"
        " Satterthwaite 有效自由度"
    ),
    "method_wilson": "Wilson 区间（按有效样本量）",
    "method_wilson-model": (
        "稀有比率的区间：Wilson 得分区间，按设计自由度；有效样本量按模型计算，为权数与户规模的"
        " Kish 有效样本量除以村级设计效应（1 加上“按权数计的每村样本规模减 1”与村内相关系数 ρ"
        " 之积）。95%置信区间取其 2.5%、97.5% 两端，单侧 95% 上界取同一区间的 95% 端，故区间必含"
        "单侧界"
    ),
    "method_wald-t": "t 分布 Wald 区间",
    "method_census": "全部调查，无抽样误差",
    "instrument_verification": "入户核查问卷",
    "instrument_recognition": "认可度问卷",
    "design_two_stage": (
        "两阶段抽样：按户数成比例（PPS）抽取样本村，再在村内按户类型简单随机抽取样本户。"
    ),
    "design_stratified": "分层简单随机抽样：各层内直接抽取样本户。",
    "design_villages": "样本村：{items}。",
    "design_households": "每个样本村抽取：{items}。",
    "design_reserves": "每个样本户配替补户 {n} 户。",
    "design_screening": "对样本村内有风险标记的非建档立卡户进行排查。",
    "design_purposive": "目标抽取村 {n} 个（单列，不计入加权估计）。",
    "design_strata": "各层样本户：{items}。",
    "count_villages": "{label} {n} 个",
    "count_households": "{label} {n} 户",
    # Back-checks (issue 19).
    "s_quality": "六、质量控制（回访核查）",
    "qc_coverage": (
        "从已审核通过的 {approved} 份问卷中，按每名调查员 {share}%（至少 {minimum} 份）随机抽取 "
        "{drawn} 份由其他评估组回访核查，已完成 {done} 份（随机种子 {seed}，记录摘要 {digest}…）。"
        "回访不改变原始答案。"
    ),
    "qc_commitment": "回访抽样前已记录随机种子的承诺值（{commitment}…）；{status}",
    "qc_verified": "核验通过：种子与承诺值一致，按记录重新抽样得到相同样本。",
    "qc_not_verified": "核验未通过：记录与承诺值不一致。",
    "qc_no_commitment": "此次回访抽样早于种子承诺制度，无承诺值可核验。",
    "qc_items": "各题目不一致率（括号内为核查类型）",
    "qc_assessors": "各调查员不一致率（第 1 类题目，按编号）",
    "qc_col_item": "题目 / 调查员",
    "qc_col_count": "不一致 / 比对",
    "qc_col_rate": "不一致率",
    "qc_col_ci": "95% 置信区间",
    "qc_col_flag": "标记",
    "qc_flagged": "超出容许",
}

_EN = {
    "title_county": "Poverty-County Exit Assessment Report",
    "title_province": "Provincial Summary of Poverty-County Exit Assessments",
    "simulated": "SIMULATED DATA",
    "simulated_note": "This report was generated from simulated data for demonstration only; "
    "it is not an assessment finding.",
    "draft": "DRAFT",
    "draft_note": "Draft: this report has not been signed off.",
    "signed_off": "Signed off",
    "scheme": "Assessment scheme",
    "year": "Year",
    "province": "Province",
    "county": "County",
    "period": "Assessment period",
    "institution": "Assessing institution",
    "team_leaders": "Team leaders",
    "version": "Report version",
    "report_date": "Report date",
    "status": "Status",
    "page": "Page {n}",
    "s_conclusion": "1. Conclusion",
    "s_charts": "2. Indicators in charts",
    "s_coverage": "3. Sample coverage",
    "s_problems": "4. Problem list",
    "s_methods": "Appendix: Methods",
    "s_counties": "Results by county",
    "s_county_chart": "Indicators by county",
    "verdict_exit_recommended": "Exit recommended",
    "verdict_not_met": "Does not meet the exit conditions",
    "verdict_inconclusive": "Inconclusive: some indicators cannot be settled with 95% confidence",
    "verdict_insufficient_data": "Insufficient data",
    "short_state_no_round": "in no round",
    "short_state_no_frame": "no frame",
    "short_state_no_plan": "no sample drawn",
    "short_state_no_interviews": "no approved interview",
    "short_state_interim": "interim",
    "short_state_final": "some indicators not estimable",
    "borderline": "borderline",
    "interim": "interim",
    "insufficient_data": "insufficient data",
    "conf_insufficient_data": "insufficient data",
    "state_no_round": "The county is in no assessment round.",
    "state_no_frame": "No sampling frame has been imported.",
    "state_no_plan": "No sample has been drawn.",
    "state_no_interviews": "No household interview has been approved yet.",
    "state_interim": "Fieldwork is not complete.",
    "state_final": "Fieldwork is complete, but some indicators cannot be estimated.",
    "fieldwork_progress": "{done} of {planned} planned households resolved (approved, or out "
    "of contact with the reserves of their cell used up).",
    "insufficient_items": "Indicators that cannot be estimated: {items}.",
    "interim_note": "The figures below are interim, for following progress only; they "
    "recommend nothing.",
    "verdict_confidence_meets": "Confidence: all four indicators meet the exit conditions with "
    "at least 95% confidence.",
    "verdict_confidence_fails": "Confidence: a failing indicator fails with at least 95% "
    "confidence.",
    "verdict_confidence_inconclusive": "Confidence: borderline; some indicators cannot be "
    "settled with 95% confidence.",
    "fieldwork_closed": "Fieldwork was closed by {name} on {date}. Reason: {reason}",
    "col_estimate_interim": "Estimate (interim)",
    "col_bound": "95% one-sided bound",
    "bound_note": "Estimates are weighted. 95% one-sided bound: the upper 95% confidence "
    "bound for the wrongful-exit rate, the missed-identification rate and poverty incidence; "
    'the lower 95% confidence bound for mass recognition. "Meets with at least 95% confidence" '
    'when the one-sided bound is within the threshold; "fails with at least 95% confidence" '
    "when the whole 95% interval lies on the failing side of the threshold (above it for the "
    'three rates, below it for mass recognition); otherwise "inconclusive", with the '
    "probability of being within the threshold. How the intervals are computed, and whether "
    'they held their level in simulation: "Intervals and confidence statements" in '
    '"Appendix: Methods".',
    "bound_method_label": "Intervals and confidence statements",
    "bound_method": "The 95% confidence interval and the one-sided bound of the three rates "
    'are as "Confidence intervals" above says; the intra-village correlation ρ is below. '
    "When the round "
    "records a screening model, the missed rate of a county with screening takes instead the "
    "census effective size (the flagged households a census of the village's list of "
    "non-registered households; the two groups' relative rates and intra-village correlations "
    "pooled from at least ten counties, below). In simulated counties (true rates 0.4–3.9%, "
    "intra-village correlation 0.06 and 0.20, screening households, with and without 10% of "
    "households out of contact, ρ and the screening model pooled from twenty other counties, "
    "averaged over 100 different pools) the truth lay above the upper bound of the "
    "wrongful-exit rate and of the missed rate on the census size at most 2.3% of the time, "
    "and their 95% interval covered the truth in 94–98.3% of samples (mostly conservative); "
    "without a screening model the missed rate takes the village model, whose interval "
    "covered the truth in 99.2–99.8% of samples in the simulation (correlation 0.06; "
    "conservative). Where villages cluster more (intra-village correlation 0.20 or 0.33) and "
    "the planning value 0.10 is kept, the upper bound can be liberal (the truth above it up to "
    "8.8% of the time in the simulation), so a round may use a ρ pooled from its counties' "
    'data instead. "Fails with at least 95% confidence" requires the whole 95% interval to '
    "lie on the failing side of the threshold (above it for the three rates, below it for mass "
    "recognition), that is, it rests on the interval's 2.5% end: in the same simulation the "
    "truth lay below that end in 1.7–6% of samples (above 5.5% in 3 of 32 settings), so the "
    "statement held with about 94–98.3% confidence; the one-sided 95% lower bound it rested "
    "on before held with only about 91–96.5%. "
    '"Meets with at least 95% confidence" still rests on the one-sided 95% bound.',
    "icc_heading": "Intra-village correlation ρ of the rare rates",
    "icc_planning": "{indicator}: ρ = {value} (planning value)",
    "icc_pooled": "{indicator}: ρ = {value} (pooled over {counties} counties, {villages} villages "
    "and {events} event households of round “{round}”, in use from {date})",
    "icc_census": "{indicator}: effective sample size from the screening census model (the "
    "screening households a census of the village's list of non-registered households; census "
    "group relative rate {k_c}, intra-village correlation ρ = {rho_c}; unflagged group relative "
    "rate {k_u}, ρ = {rho_u}; pooled over {counties} counties with screening of round "
    "“{round}”, in use from {date}), not the ρ above",
    "col_part": "Part of the sample",
    "col_village_class": "Village class",
    "part_random": "Villages drawn at random",
    "part_purposive": "Purposive villages (apart)",
    "part_screening": "Screening (apart)",
    "class_poor": "Poor village",
    "class_non_poor": "Non-poor village",
    "class_remote": "Remote village",
    "status_exited": "Exited",
    "status_not_exited": "Not yet exited",
    "status_non_registered": "Non-registered",
    "villages_remote": "Remote villages sampled",
    "coverage_note": "Unweighted household counts. An interview of a released reserve counts "
    "in the cell of the household it replaced. Screening and purposive villages are apart: "
    "screening households are not planned non-registered interviews of the sample, and "
    "purposive villages are not in the weighted estimates.",
    "response_heading": "Response",
    "col_group": "Group",
    "col_due": "Due",
    "col_interviewed": "Interviewed",
    "col_not_reached": "Not reached",
    "col_open": "Open",
    "response_note": "Response rate (AAPOR RR1) = approved interviews / households due "
    "(sampled and screening households and released reserves), unweighted.",
    "reserves_heading": "Reserves used (by village and household type)",
    "sensitivity_wrongful_exit_rate": "Sensitivity (worst case): the wrongful-exit rate is "
    "estimated at {estimate}; if every sampled household not reached (those replaced by "
    "reserves included) had been wrongly exited, it would be {worst}.",
    "sensitivity_missed_rate": "Sensitivity (worst case): the missed-identification rate is "
    "estimated at {estimate}; if every non-registered and screening household not reached had "
    "been missed, it would be {worst}.",
    "sensitivity_wrongful_exit_rate_no_estimate": "Sensitivity (worst case): insufficient data "
    "to estimate the wrongful-exit rate; if every sampled household not reached (those replaced "
    "by reserves included) had been wrongly exited, it would be {worst}.",
    "sensitivity_missed_rate_no_estimate": "Sensitivity (worst case): insufficient data to "
    "estimate the missed-identification rate; if every non-registered and screening household "
    "not reached had been missed, it would be {worst}.",
    "nonresponse": "Non-response",
    "nonresponse_text": "A sampled household that cannot be interviewed is replaced by the next "
    "reserve of its village and type. When the reserves run out, weights are adjusted within "
    "cells of village × household type (screening households: village): the weights of the "
    "households interviewed in a cell are scaled up to the weight of every household due in "
    "it. A cell without any interview passes its weight to the same type's cell of the nearest "
    "village of its stratum in the frame's order that has one, or else to every interviewed "
    "household of that type. A screening-flagged sampled household that cannot be interviewed "
    "is replaced for the recognition survey only: its reserve (never flagged) counts no missed "
    "person, and the household, a non-respondent of the village's census of flagged "
    "households, passes its weight there to the screening households interviewed in its "
    "village. The assumption: within a cell, the households that could not be "
    "reached are like those that were. The sensitivity lines give the worst case, every "
    "unreached household failing, to show how much the verdict leans on that assumption.",
    "sample_size": "Sample size for the decision",
    "sample_size_text": "The sample size of a pass/fail decision counts a design effect: "
    "wrongful exits are counted in persons, who are clustered in households and villages, so "
    "n persons carry the information of n / design effect independent ones. The effective size "
    "meeting both risks is found for independent units and multiplied by the design effect to "
    "give the persons to interview. The design effect is entered on the design page or "
    "estimated from the wrongful-exit rate of the county's earlier fieldwork (at least 1); "
    "without earlier data, about the household size, 3.",
    "col_village": "Village",
    "col_released": "Released",
    "col_left": "Left",
    "verdict_detail_exit_recommended": "All four indicators meet the exit conditions.",
    "verdict_detail_not_met": "Indicators failing the exit conditions: {items}. "
    "A county failing any one indicator does not exit.",
    "verdict_detail_inconclusive": "The estimates of all four indicators meet the exit conditions.",
    "inconclusive_items": "Indicators not settled with 95% confidence: {items}.",
    "poverty_incidence": "Comprehensive poverty incidence",
    "wrongful_exit_rate": "Wrongful-exit rate",
    "missed_rate": "Missed-identification rate",
    "recognition_rate": "Mass recognition",
    "col_indicator": "Indicator",
    "col_estimate": "Estimate",
    "col_ci": "95% CI",
    "col_threshold": "Threshold",
    "col_verdict": "Verdict",
    "col_confidence": "Confidence",
    "meets": "Meets",
    "fails": "Fails",
    "conf_meets": "Meets with at least 95% confidence",
    "conf_fails": "Fails with at least 95% confidence",
    "conf_inconclusive": "Inconclusive",
    "prob_within": "probability within threshold {p}",
    "chart_indicators": "Figure 1  The four indicators: estimate, 95% CI and threshold",
    "chart_townships": "Figure 2  Indicators by township",
    "chart_types": "Figure 3  Mass recognition by household type",
    "chart_counties": "Estimates, 95% CIs and thresholds by county",
    "legend_estimate": "estimate",
    "legend_ci": "95% CI",
    "legend_threshold": "threshold",
    "legend_meets": "meets",
    "legend_fails": "fails",
    "legend_inconclusive": "inconclusive",
    "no_breakdown": "The snapshot holds no breakdown by group.",
    "townships": "Townships sampled",
    "villages_poor": "Poor villages sampled",
    "villages_non_poor": "Non-poor villages sampled",
    "villages_purposive": "of which chosen purposively (remote etc.)",
    "interviews_completed": "Household interviews completed",
    "substitutions": "Reserve households used",
    "col_household_type": "Household type",
    "col_planned": "Planned",
    "col_completed": "Completed",
    "col_completion": "Completion",
    "col_reason": "Reason for substitution",
    "col_count": "Households",
    "col_rate_label": "Response category",
    "col_response_rate": "Response rate",
    "coverage_units": "Sampled units",
    "problems_total": "{n} problem households: {w} wrongly exited, {m} missed, "
    "{r} not recognising.",
    "problems_none": "No problem households were found.",
    "problems_restricted": (
        "This copy gives the problem households as counts by category only; the list of "
        "households (ids, villages, sizes, assessors' notes) is given only to the roles that "
        "may see households."
    ),
    "col_problem_category": "Category / standard not met",
    "col_households": "Households",
    "kind_wrongly_exited": "Wrongly exited households",
    "kind_missed": "Missed households",
    "kind_not_recognising": "Households not recognising",
    "col_no": "No.",
    "col_place": "Township / village",
    "col_household": "Household ID",
    "col_persons": "Persons",
    "col_standards": "Standards not met",
    "col_reasons": "Assessor's reasons",
    "col_review": "Review",
    "income_ok": "Income",
    "food_ok": "Food",
    "clothing_ok": "Clothing",
    "schooling_ok": "Schooling",
    "medical_ok": "Medical care",
    "housing_ok": "Housing",
    "water_ok": "Drinking water",
    "review_pending": "Pending",
    "review_approved": "Approved",
    "review_returned": "Returned",
    "review_appealed": "Under appeal",
    "review_upheld": "Appeal rejected",
    "review_overturned": "Appeal accepted",
    "frame_hash": "Sampling frame hash (SHA-256)",
    "plan_id": "Sampling plan",
    "design": "Design",
    "seed_commitment": "Seed commitment",
    "verify_draw": (
        "The draw can be verified: the commitment (hash) of the random seed was published "
        "before the draw and the seed after it. Anyone can run "
        "<font name='{mono}'>assess verify-draw {plan}</font> to redraw the sample from the "
        "same frame and seed and check that it equals the sample of this report and that the "
        "seed matches its commitment."
    ),
    "estimators": "Estimators",
    "ci_method": "Confidence intervals",
    "instrument_version": "Instrument version",
    "col_stratum": "Stratum",
    "col_population": "Population units",
    "col_sample": "Sample units",
    "col_unit": "Unit",
    "unit_village": "village",
    "unit_household": "household",
    "unit_township": "township",
    "col_numerator": "Numerator (unweighted)",
    "col_denominator": "Denominator (unweighted)",
    "counts_heading": "Numerators and denominators (unweighted counts; weighted estimates)",
    "strata_heading": "Sample sizes per stratum",
    "col_county": "County",
    "col_interviews": "Households",
    "col_problems": "Problems",
    "province_summary": (
        "Counties: {n}; {ok} recommended to exit, {bad} not meeting the exit conditions, "
        "{unk} inconclusive, {ins} with insufficient data. Failing and inconclusive counties "
        "are listed first."
    ),
    "province_chart_note": "Marker colour shows the confidence statement; dashed line: threshold.",
    # The appeal (issue 19).
    "s_appeals": "5. Appeals and rulings",
    "appeals_summary": (
        "{n} suspected households published to the county: {acc} accepted, {none} not "
        "answered by the deadline, {dis} disputed; the experts upheld {up}, overturned {over}, "
        "{open} await a ruling. Overturned households count neither in the indicators nor in "
        "the problem list."
    ),
    "appeals_interim": (
        "Some cases have no final ruling yet: the results of this report are interim."
    ),
    "appeals_cases": "Each case: the county's answer, evidence and ruling",
    "col_before_rulings": "Before rulings",
    "col_after_rulings": "After rulings",
    "col_case_kind": "Category",
    "col_answer": "County's answer",
    "col_evidence": "Evidence",
    "col_ruling": "Ruling",
    "appeal_response_accepted": "Accepted",
    "appeal_response_disputed": "Disputed",
    "appeal_response_none": "No answer",
    "appeal_ruling_upheld": "Upheld",
    "appeal_ruling_overturned": "Overturned",
    "appeal_ruling_revisit": "Re-visit under way",
    "appeal_ruling_revisit_upheld": "Upheld by the re-visit",
    "appeal_ruling_revisit_overturned": "Overturned by the re-visit",
    "appeal_ruling_revisit_failed": "Re-visit failed, awaiting a new ruling",
    "appeal_ruling_revisit_failed_upheld": "Re-visit failed; upheld",
    "appeal_ruling_revisit_failed_overturned": "Re-visit failed; overturned",
    "appeal_ruling_none": "–",
    "appeal_earlier": "Earlier rulings",
    "problem_earlier": "re-visit failed, ruled again (earlier rulings: section 5)",
    "appeal_earlier_revisit": "Re-visit ordered",
    "appeal_earlier_upheld": "Upheld",
    "appeal_earlier_overturned": "Overturned",
    "appeal_earlier_team": "re-visit team: {team}",
    "appeal_earlier_failed": "re-visit failed ({outcome})",
    "contact_interviewed": "interviewed",
    "contact_absent": "absent",
    "contact_refused": "refused",
    "contact_moved": "moved away",
    "contact_deceased": "deceased",
    "contact_not_found": "not found",
    "version_draft": "Unnumbered draft",
    "simulated_mark": "[SIMULATED DATA]",
    "institution_demo": "Third-party assessment institution (demo)",
    "seed": "seed",
    "estimators_ratio_taylor": (
        "Weighted ratio estimators (persons) with Taylor linearisation, villages as PSUs "
        "within village strata (with-replacement variance); comprehensive incidence by the "
        "delta method."
    ),
    "method_korn-graubard": "Korn–Graubard interval (exact binomial, effective sample size)",
    "method_korn-graubard-kish": (
        "Interval for rare rates (effective sample size with a design effect at least Kish's "
        "for the weights and household sizes): the 95% interval is Wilson's score interval, "
        "its upper end at least the one-sided bound; the one-sided bound is Korn–Graubard "
        "(exact binomial) on Satterthwaite's effective degrees of freedom"
    ),
    "method_wilson": "Wilson score interval (effective sample size)",
    "method_wilson-model": (
        "Interval for rare rates: Wilson's score interval on the design degrees of freedom, "
        "on a model-based effective sample size: Kish's effective sample size for the weights "
        "and household sizes divided by a village design effect 1 + (b − 1)ρ (b the weighted "
        "sample size per village, ρ the intra-village correlation). The 95% interval is its "
        "2.5% and 97.5% ends, the one-sided 95% upper bound its 95% end, so the interval "
        "always contains the bound"
    ),
    "method_wald-t": "Wald interval with t quantiles",
    "method_census": "No sampling error (every unit observed)",
    "instrument_verification": "Household verification questionnaire",
    "instrument_recognition": "Recognition questionnaire",
    "design_two_stage": "Two stages: villages drawn with probability proportional to their "
    "households (PPS), then households by simple random sampling within each village and type.",
    "design_stratified": "Stratified simple random sampling of households.",
    "design_villages": "Sampled villages: {items}.",
    "design_households": "In each sampled village: {items}.",
    "design_reserves": "{n} reserve households per sampled household.",
    "design_screening": "Flagged non-registered households of the sampled villages are screened.",
    "design_purposive": "{n} purposive villages (apart from the weighted estimates).",
    "design_strata": "Households per stratum: {items}.",
    "count_villages": "{label}: {n}",
    "count_households": "{label}: {n}",
    # Back-checks (issue 19).
    "s_quality": "6. Quality control (back-checks)",
    "qc_coverage": (
        "Of {approved} approved interviews, {drawn} were drawn at random ({share}% per "
        "assessor, at least {minimum}) for a back-check by another team; {done} are done "
        "(seed {seed}, record digest {digest}…). Back-checks never change the original answers."
    ),
    "qc_commitment": (
        "The commitment to the back-check seed was recorded before the draw ({commitment}…); "
        "{status}"
    ),
    "qc_verified": (
        "verified: the seed matches its commitment and re-drawing gives the same sample."
    ),
    "qc_not_verified": "verification FAILED: the record does not match its commitment.",
    "qc_no_commitment": "This back-check draw predates seed commitments; nothing to verify.",
    "qc_items": "Discrepancy rate per item (back-check type in brackets)",
    "qc_assessors": "Discrepancy rate per assessor (type 1 items, by code)",
    "qc_col_item": "Item / assessor",
    "qc_col_count": "Discrepant / compared",
    "qc_col_rate": "Rate",
    "qc_col_ci": "95% interval",
    "qc_col_flag": "Flag",
    "qc_flagged": "Above tolerance",
}

_TABLE = {"zh": _ZH, "en": _EN}


def check_language(lang: str) -> str:
    """Return ``lang`` if it is a report language, else raise ValueError naming it."""
    if lang not in _TABLE:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    return lang


def text(lang: str, key: str, **values: object) -> str:
    """The wording ``key`` in ``lang`` with ``{placeholders}`` filled.

    Unknown keys are returned as given, so free text passes through unchanged.
    """
    wording = _TABLE[lang].get(key, key)
    return wording.format(**values) if values else wording


def code(lang: str, prefix: str, value: str) -> str:
    """Translate a code such as a review status; other strings pass through unchanged."""
    key = f"{prefix}{value}"
    return _TABLE[lang].get(key, value)
