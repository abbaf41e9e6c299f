"""Step 2's sheets (SPEC section 2): 5-Why chains, fishbone causes, the verification of root causes,
and the root causes gathered from them (an output entity)."""

from __future__ import annotations

from ci_excel.schema.columns import T, col, problem_ref, root_ref
from ci_excel.schema.enums import CONCLUSION, FISHBONE, VERIFY_METHOD, YES_NO
from ci_excel.schema.types import SheetSpec

WHY_CHAINS = SheetSpec(
    "why_chains",
    "2-5Why分析",
    "2-Five whys",
    2,
    columns=(
        problem_ref(),
        col(
            "root_cause_id",
            "根因编号",
            "Root cause ID",
            required=True,
            defines="root_cause",
            width=13,
            help_zh="部门内唯一,如 P-001-R1",
            help_en="Unique in the department, e.g. P-001-R1",
        ),
        *(
            col(
                f"why_{i}",
                f"为什么{i}",
                f"Why {i}",
                required=i == 1,
                width=22,
                help_zh=f"第{i}层追问的回答" + ("(必填)" if i == 1 else "(不可跳层)"),
                help_en=f"Answer to why #{i}" + (" (required)" if i == 1 else " (no gaps)"),
            )
            for i in range(1, 6)
        ),
        col(
            "root_cause",
            "根本原因",
            "Root cause",
            required=True,
            width=26,
            help_zh="追问到底后的根本原因",
            help_en="The cause found at the end of the chain",
        ),
    ),
)

FISHBONE_SHEET = SheetSpec(
    "fishbone",
    "2-鱼骨图",
    "2-Fishbone",
    2,
    columns=(
        problem_ref(),
        col(
            "category",
            "维度",
            "Category",
            T.ENUM,
            required=True,
            enum=FISHBONE,
            width=10,
            help_zh="人、机、料、法、环、测",
            help_en="Man, Machine, Material, Method, Environment, Measurement",
        ),
        col("cause", "原因", "Cause", required=True, width=26, help_zh="该维度下的原因", help_en="The cause"),
        col("sub_cause", "细分原因", "Sub-cause", width=22, help_zh="进一步细分(可选)", help_en="Detail (optional)"),
        col(
            "frequency",
            "频次",
            "Frequency",
            T.INT,
            width=8,
            minimum=0,
            help_zh="出现次数,用于帕累托图(可选)",
            help_en="Count, for the Pareto chart (optional)",
        ),
        col("is_root", "是否根因", "Root cause?", T.BOOL, enum=YES_NO, width=10, help_zh="是/否", help_en="Yes / No"),
        root_ref(False, "是根因时填写:已有根因编号或新编号", "When a root cause: an existing or a new Root cause ID"),
    ),
)

VERIFICATION = SheetSpec(
    "verification",
    "2-根因验证",
    "2-Verification",
    2,
    columns=(
        root_ref(True, "被验证的根因编号", "The Root cause ID being checked"),
        col(
            "method",
            "验证方法",
            "Method",
            T.ENUM,
            required=True,
            enum=VERIFY_METHOD,
            width=12,
            help_zh="数据验证 或 小范围试验",
            help_en="Data check or small-scale trial",
        ),
        col(
            "evidence",
            "验证依据",
            "Evidence",
            required=True,
            width=30,
            help_zh="数据或试验的说明",
            help_en="What the data or trial showed",
        ),
        col(
            "sample_size",
            "样本量",
            "Sample size",
            T.INT,
            width=9,
            minimum=1,
            help_zh="整数 ≥ 1",
            help_en="Whole number ≥ 1",
        ),
        col(
            "support_share",
            "支持占比",
            "Share",
            T.PERCENT,
            width=9,
            minimum=0,
            maximum=1,
            help_zh="0-100%,如 80%",
            help_en="0-100 %, e.g. 80 %",
        ),
        col(
            "conclusion",
            "验证结论",
            "Conclusion",
            T.ENUM,
            required=True,
            enum=CONCLUSION,
            width=11,
            help_zh="已证实/部分证实/未证实",
            help_en="Confirmed / Partly / Not confirmed",
        ),
        col("verified_on", "验证日期", "Verified on", T.DATE, width=12, help_zh="日期", help_en="Date"),
    ),
)

# Root causes are an output entity gathered from 5-Why chains and fishbone roots.
ROOT_CAUSES = SheetSpec(
    "root_causes",
    "根因",
    "Root causes",
    2,
    columns=(
        col("root_cause_id", "根因编号", "Root cause ID", defines="root_cause", width=13),
        problem_ref(),
        col("root_cause", "根本原因", "Root cause", width=30),
        col("source", "来源", "Source", width=12),
    ),
    computed=(col("verified", "验证结论", "Verification", T.ENUM, enum=CONCLUSION, width=12),),
)
