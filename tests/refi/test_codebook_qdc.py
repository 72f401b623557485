"""REFI-QDA codebooks: .qdc export against the schema, import of real tool output."""

from __future__ import annotations

import time
import uuid
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from coder import __version__
from coder.codebook import (
    Code,
    Codebook,
    CodebookError,
    Example,
    codebook_to_yaml,
    parse_codebook,
    slugify,
)
from coder.refi import CODEBOOK_NAMESPACE, code_guid, codebook_to_qdc, read_qdc

REFI = Path(__file__).parent.parent / "data" / "refi"
NS = {"q": CODEBOOK_NAMESPACE}


@pytest.fixture(scope="module")
def codebook_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(REFI / "Codebook.xsd")))


def tricky_codebook() -> Codebook:
    """Nesting, colours, rules, non-ASCII names and XML-special characters."""
    return Codebook(
        name="Care work",
        version="2",
        codes=[
            Code(
                id="barriers",
                name="Barriers & <obstacles>",
                definition='What stands in the way of "getting help".',
                include="Practical and emotional barriers.\n\nAlso money.",
                exclude="Barriers the speaker overcame; use 'coping'.",
                colour="#e6194b",
                examples=[Example(text="I couldn't get there")],
                key="a",
                memo="Split later?",
                children=[
                    Code(
                        id="cost",
                        name="Coût & prix",
                        definition="Money.",
                        colour="#3cb44b",
                    ),
                    Code(
                        id="distance",
                        name="Entfernung «weit»",
                        include="Travel time.",
                        children=[Code(id="rural", name="农村", colour="#abc")],
                    ),
                ],
            ),
            Code(id="coping", name="Coping", exclude="Barriers."),
        ],
    )


def tree(codes: list[Code]) -> tuple:
    """Names as nested tuples: a leaf is its name, a branch (name, (children...))."""
    return tuple(
        (code.name, tree(code.children)) if code.children else code.name
        for code in codes
    )


def export_to(tmp_path: Path, codebook: Codebook, name: str = "book.qdc") -> Path:
    path = tmp_path / name
    path.write_bytes(codebook_to_qdc(codebook))
    return path


# Export ------------------------------------------------------------------------


def test_export_validates_against_codebook_xsd(codebook_schema):
    document = etree.fromstring(codebook_to_qdc(tricky_codebook()))

    codebook_schema.assertValid(document)


def test_export_shape():
    data = codebook_to_qdc(tricky_codebook())
    root = etree.fromstring(data)

    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<CodeBook ')
    assert root.tag == f"{{{CODEBOOK_NAMESPACE}}}CodeBook"
    assert root.get("origin") == f"coder {__version__}"
    assert root.find("q:Sets", NS) is None
    barriers = root.find("q:Codes/q:Code", NS)
    assert barriers.attrib == {
        "guid": code_guid("barriers"),
        "name": "Barriers & <obstacles>",
        "isCodable": "true",
        "color": "#E6194B",
    }
    assert barriers.findtext("q:Description", namespaces=NS) == (
        'What stands in the way of "getting help".\n\n'
        "Include: Practical and emotional barriers.\n\nAlso money.\n\n"
        "Exclude: Barriers the speaker overcame; use 'coping'."
    )
    rural = root.find(".//q:Code[@name='农村']", NS)
    assert rural.get("color") == "#AABBCC"
    assert rural.find("q:Description", NS) is None
    coping = root.findall("q:Codes/q:Code", NS)[1]
    assert "color" not in coping.attrib
    assert coping.findtext("q:Description", namespaces=NS) == "Exclude: Barriers."


def test_export_matches_the_golden_file():
    # Read the diff before replacing tests/data/refi/tricky_codebook.qdc.
    data = codebook_to_qdc(tricky_codebook())
    versionless = data.replace(
        f'origin="coder {__version__}"'.encode(), b'origin="coder VERSION"'
    )

    assert versionless == (REFI / "tricky_codebook.qdc").read_bytes()


def test_guids_are_stable_unique_uuid5_of_the_ids():
    first = codebook_to_qdc(tricky_codebook())
    renamed = tricky_codebook()
    renamed.codes[0].name = "Obstacles"
    guids = [
        code.get("guid")
        for code in etree.fromstring(first).iter(f"{{{CODEBOOK_NAMESPACE}}}Code")
    ]

    assert codebook_to_qdc(tricky_codebook()) == first
    assert len(guids) == len(set(guids)) == 5
    assert all(uuid.UUID(guid).version == 5 for guid in guids)
    assert guids == [
        code_guid(code_id)
        for code_id in ("barriers", "cost", "distance", "rural", "coping")
    ]
    # The GUID follows the id, not the name.
    assert etree.fromstring(codebook_to_qdc(renamed))[0][0].get("guid") == guids[0]


def test_export_refuses_duplicate_ids_and_empty_codebooks():
    twice = Codebook(name="x", codes=[Code(id="a", name="A"), Code(id="a", name="B")])

    with pytest.raises(CodebookError, match="code id 'a' is used twice"):
        codebook_to_qdc(twice)
    with pytest.raises(CodebookError, match="has no codes"):
        codebook_to_qdc(Codebook(name="empty", codes=[]))


def test_export_drops_characters_xml_cannot_hold(codebook_schema):
    codebook = Codebook(name="x", codes=[Code(id="a", name="A\x01b", memo="")])

    document = etree.fromstring(codebook_to_qdc(codebook))

    codebook_schema.assertValid(document)
    assert document[0][0].get("name") == "Ab"


# Round trip --------------------------------------------------------------------

ROUND_TRIP_YAML = """\
name: Care work
version: "3"
description: Codes for the 2024 interviews.
codes:
  - id: barriers_obstacles
    name: Barriers & <obstacles>
    definition: |
      What stands in the way of "getting help".

      Two paragraphs of definition.
    include: Practical barriers.
    exclude: Barriers the speaker overcame.
    colour: "#E6194B"
    examples: ["I couldn't get there"]
    key: x
    children:
      - id: cout_prix
        name: Coût & prix
        colour: "#3cb44b"
        include: |
          Money.

          Also time off work.
        children:
          - id: fees
            name: Fees
            exclude: Insurance.
  - id: coping
    name: Coping
    definition: Getting by.
  - id: code_2020_plans
    name: 2020 plans
"""


def test_round_trip_keeps_everything_a_qdc_can_carry(tmp_path):
    original = parse_codebook(ROUND_TRIP_YAML, "care.yaml")

    imported, notes = read_qdc(export_to(tmp_path, original, "Care work.qdc"))

    assert notes == []
    assert imported == Codebook(
        name="Care work",
        version="",
        codes=[
            Code(
                id="barriers_obstacles",
                name="Barriers & <obstacles>",
                definition='What stands in the way of "getting help".\n\n'
                "Two paragraphs of definition.",
                include="Practical barriers.",
                exclude="Barriers the speaker overcame.",
                colour="#e6194b",
                children=[
                    Code(
                        id=slugify("Coût & prix"),
                        name="Coût & prix",
                        include="Money.\n\nAlso time off work.",
                        colour="#3cb44b",
                        children=[Code(id="fees", name="Fees", exclude="Insurance.")],
                    )
                ],
            ),
            Code(id="coping", name="Coping", definition="Getting by."),
            Code(id="code_2020_plans", name="2020 plans"),
        ],
    )


def test_round_trip_of_the_tricky_codebook(tmp_path):
    original = tricky_codebook()

    imported, notes = read_qdc(export_to(tmp_path, original))

    assert notes == []
    pairs = list(zip(original.walk(), imported.walk(), strict=True))
    for (before, _, depth_before), (after, _, depth_after) in pairs:
        assert depth_after == depth_before
        assert (after.name, after.definition, after.include, after.exclude) == (
            before.name,
            before.definition,
            before.include,
            before.exclude,
        )
    colours = [code.colour for code, _, _ in imported.walk()]
    assert colours == ["#e6194b", "#3cb44b", None, "#aabbcc", None]


# Real files --------------------------------------------------------------------


def test_taguette_codebook():
    codebook, notes = read_qdc(REFI / "taguette_codebook.qdc")

    assert codebook == Codebook(
        name="taguette_codebook",
        codes=[
            Code(id="xsd_element_name", name="xsd:element name"),
            Code(id="codebook", name="CodeBook"),
            Code(id="variables", name="Variables"),
        ],
    )
    assert notes == ["empty <Sets/> ignored"]


# fmt: off
NVIVO_TREE = (
    ("rq1_definition", (
        ("competencies", (
            "programming",
        )),
        ("concepts", (
            "abstraction",
            "algorithms",
            "computer_graphics",
            "decomposition",
            "generalization",
            "hardware",
            "hci",
            "impact_of_computing",
            "interfaces",
            "logic",
            "optimization",
            "scope_and_sequence",
            "systems",
        )),
        ("defining_education", (
            "choice",
            "citizenship",
            "life_skill",
            ("restructuring_high_school", (
                "restructure_curriculum",
            )),
            "success",
            "well_educated_adult",
            "well_rounded",
        )),
        ("framings", (
            "computational_literacy",
            "cs_as_language",
            "cs_as_logic",
            ("cs_as_programming", (
                "programming (2)",
            )),
            "cs_as_using_tools",
            "purpose_of_cs",
            "vision_for_cs",
        )),
        "importance_of_defining_cs",
        ("practices", (
            "collaboration",
            "computational_literacy (2)",
            "computational_thinking",
            "creating",
            "creativity",
            "debugging",
            ("digital_citizenship", (
                "citizenship (2)",
            )),
            "engineering",
            "maker_education",
            "media_literacy",
            "modeling",
            "perspective_taking",
        )),
        ("rationales", (
            ("cs_is_coming", (
                "cs_is_a_new_field",
                "everyday_life",
            )),
            ("cs_literacy", (
                ("digital_citizenship (2)", (
                    "citizenship (3)",
                )),
            )),
            ("equity", (
                "achievement_gap",
                "digital_divide",
                "every_student",
                "everyone_should_learn_cs",
                "power",
                "social_justice",
            )),
            ("exposure", (
                "cs_exposure",
                "future_learning",
                "preparing_for_college",
            )),
            "importance_of_cs",
            "job",
        )),
    )),
    ("rq2_curriculum_and_instruction", (
        ("curriculum", (
            ("cs_scope_and_sequence", (
                "alignment",
                "cs_standalone_class",
                ("electives", (
                    "choice (2)",
                )),
                "elementary",
                "elementary_middle",
                "high_school",
                "integration",
                "middle",
                "wheel",
            )),
            ("existing_curricula", (
                "ap_cs",
                "bootstrap_algebra",
                "cs_unplugged",
                "exploring_cs",
                ("introductory_course", (
                    "bjc",
                    "cs_principles",
                )),
            )),
            ("graduation_requirement", (
                "a_g_requirements",
                "graduation_requirement (2)",
            )),
            ("interdisciplinary_cs", (
                "curriculum_tradeoffs",
                ("other_subject_areas", (
                    ("humanities", (
                        "arts",
                        ("english", (
                            "writing",
                        )),
                        ("history", (
                            "social_studies",
                        )),
                    )),
                    ("science", (
                        "physics",
                    )),
                    ("stem", (
                        "geometry",
                        ("math", (
                            "algebra",
                        )),
                    )),
                    ("world_languages", (
                        "latin",
                    )),
                )),
            )),
        )),
        ("implementation", (
            "cs_department",
            "existing_program",
            "funding",
            "implementation_vs_standards",
            "infrastructure",
            "pd",
            ("staffing", (
                "hiring_cs_teachers",
            )),
            "standards_vs_implementation",
        )),
        ("pedagogy", (
            "applications",
            "expert_support",
            "exploration",
            "fun",
            ("participation", (
                "cs_inclusion",
                "cs_participation",
                "increased_motivation",
                "interest_through_experience",
                "learning_opportunities",
                "students_using_computers",
                "teachers_using_computers",
            )),
            "pedagogy (2)",
            "play",
            "rigor",
            ("tools", (
                "arduino",
                "cad",
                "ed_tech",
                "euglena",
                "excel",
                "hyper_card",
                "one_to_one",
                ("programming_languages", (
                    "html",
                    "javascript",
                    "python",
                    "scratch",
                )),
                "robots",
                "screen_time",
                "screens",
            )),
            "tracking",
        )),
    )),
    ("rq3_process", (
        ("authorities", (
            "ca_css",
            "code_org",
            "cs_for_all",
            ("large_districts", (
                "boston",
                "chicago",
                "nyc",
                "oakland",
                "sfusd",
            )),
            ("standards", (
                "ca_standard",
                "csta_k12_standards",
                "k12_cs_framework",
                "ngss",
                "state_cs_requirement",
            )),
            "test_scores",
            ("university_cs", (
                "academics",
            )),
        )),
        ("committee_participation", (
            "committee_inclusion",
            "community_engagement",
            "diversity",
            ("educating_stakeholders", (
                "board_education",
                "community_education",
                "educate_committee",
                "educating_about_cs",
                "educating_community",
            )),
            "lack_of_cs_understanding",
            "learning_from_teachers",
            "listening_to_teachers",
            "self_censorship",
            "stakeholders",
        )),
        ("committee_roles", (
            "administrators",
            "parent",
            "parents",
            "school_board",
            "students",
            "students_on_committee",
            "teachers",
        )),
        "cs_inclusion (2)",
        ("decision_making_structure", (
            "bottom_up",
            "committee_size",
            "committee_speed",
            "consensus",
            "top_down",
        )),
        ("district_leadership", (
            "leadership_in_cs",
            "progress",
            "silicon_valley",
            "teacher_leadership",
            "urgency",
        )),
        ("identity", (
            ("computational_identity", (
                ("affect_toward_cs", (
                    "confidence",
                    "fear",
                    "fun (2)",
                )),
                "computing_culture",
                "cs_enthusiasts",
                ("cs_expertise", (
                    ("college", (
                        "cs_major",
                        "grad_school",
                    )),
                    "cs_knowledge",
                    "cs_specialization",
                    "cs_teachers",
                    "positioned_as_experts_in_cs",
                    "professional_cs",
                    "professional_experience",
                )),
                "friends_in_computing",
                ("informal_cs", (
                    "extracurricular",
                    "informal_learning",
                    "informal_learning_environments",
                )),
                "interest_in_cs",
                "interest_through_exposure",
                "mentor",
                "nerd",
            )),
            ("identity_categories", (
                "age",
                "gender",
                ("race", (
                    "whiteness",
                )),
                "social_class",
            )),
            "representation",
            "self-categorization",
            ("student_identity", (
                "english_learners",
                "humanities_kids",
                "interest",
                "math_identity",
                "special_needs",
            )),
        )),
        ("politics", (
            "committee_legitimacy",
            "political_challenge",
            "political_process",
            "political_will",
            ("public_opinion", (
                "arguments_against_cs",
                "school_community",
                "student_stress",
                "tension_between_students_and_adults",
            )),
            "redirecting_conversation",
        )),
    )),
)
# fmt: on


def test_nvivo_project_code_tree():
    codebook, notes = read_qdc(REFI / "nvivo_mac15_project.qdpx")

    assert codebook.name == "qc project"
    assert tree(codebook.codes) == NVIVO_TREE
    assert notes == [
        "duplicate name 'programming' under 'cs_as_programming' renamed to"
        " 'programming (2)'",
        "duplicate name 'computational_literacy' under 'practices' renamed to"
        " 'computational_literacy (2)'",
        "duplicate name 'citizenship' under 'digital_citizenship' renamed to"
        " 'citizenship (2)'",
        "duplicate name 'digital_citizenship' under 'cs_literacy' renamed to"
        " 'digital_citizenship (2)'",
        "duplicate name 'citizenship' under 'digital_citizenship (2)' renamed to"
        " 'citizenship (3)'",
        "duplicate name 'choice' under 'electives' renamed to 'choice (2)'",
        "duplicate name 'graduation_requirement' under 'graduation_requirement'"
        " renamed to 'graduation_requirement (2)'",
        "duplicate name 'pedagogy' under 'pedagogy' renamed to 'pedagogy (2)'",
        "duplicate name 'cs_inclusion' under 'rq3_process' renamed to"
        " 'cs_inclusion (2)'",
        "duplicate name 'fun' under 'affect_toward_cs' renamed to 'fun (2)'",
    ]
    ids = [code.id for code, _, _ in codebook.walk()]
    assert len(ids) == len(set(ids)) == 262
    assert codebook.by_id()["programming_2"].name == "programming (2)"
    assert codebook.by_id()["self_categorization"].name == "self-categorization"
    assert all(code.colour is None for code, _, _ in codebook.walk())


def test_imported_codebook_is_a_valid_yaml_codebook():
    codebook, _ = read_qdc(REFI / "nvivo_mac15_project.qdpx")

    again = parse_codebook(codebook_to_yaml(codebook), "nvivo.yaml")

    assert again == codebook


# Tolerance ---------------------------------------------------------------------


def write_qdc(tmp_path: Path, codes: str, *, namespace=CODEBOOK_NAMESPACE, tail=""):
    path = tmp_path / "other.qdc"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<CodeBook xmlns="{namespace}" origin="Somebody 1.0">'
        f"<Codes>{codes}</Codes>{tail}</CodeBook>",
        "utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("colour", "expected", "note"),
    [
        ("#F00082", "#f00082", None),  # ATLAS.ti
        ("#ef8256", "#ef8256", None),  # MAXQDA
        ("#ABC", "#aabbcc", None),
        (" #46AA00 ", "#46aa00", None),
        ("46AA00", "#46aa00", "1 colour converted to #rrggbb: '46AA00' -> #46aa00"),
        (
            "#FF46AA00",
            "#46aa00",
            "1 colour converted to #rrggbb: '#FF46AA00' -> #46aa00",
        ),
        (
            "#80FF0000",
            "#ff0000",
            "1 colour converted to #rrggbb: '#80FF0000' -> #ff0000",
        ),
        (
            "#46AA00FF",
            "#46aa00",
            "1 colour converted to #rrggbb: '#46AA00FF' -> #46aa00",
        ),
        (
            "rgb(70, 170, 0)",
            "#46aa00",
            "1 colour converted to #rrggbb: 'rgb(70, 170, 0)' -> #46aa00",
        ),
        ("70,170,0", "#46aa00", "1 colour converted to #rrggbb: '70,170,0' -> #46aa00"),
        ("Red", "#ff0000", "1 colour converted to #rrggbb: 'Red' -> #ff0000"),
        ("xyz", None, "colour 'xyz' not understood on code 'A'"),
        ("rgb(300, 0, 0)", None, "colour 'rgb(300, 0, 0)' not understood on code 'A'"),
        ("", None, None),
    ],
)
def test_colours_other_tools_write(tmp_path, colour, expected, note):
    path = write_qdc(
        tmp_path,
        f'<Code guid="{uuid.uuid4()}" name="A" isCodable="true" color="{colour}"/>',
    )

    codebook, notes = read_qdc(path)

    assert codebook.codes[0].colour == expected
    assert notes == ([note] if note else [])


def test_guid_forms_missing_colour_and_non_codable_codes(tmp_path):
    path = write_qdc(
        tmp_path,
        '<Code guid="{1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294}" name="Group"'
        ' isCodable="false"><Description>Just a folder</Description>'
        '<Code guid="1ff58b12-6f6f-4b0c-8be5-bbdc91f55295" name="Leaf"'
        ' isCodable="true"/></Code>',
    )

    codebook, notes = read_qdc(path)

    assert codebook.codes == [
        Code(
            id="group",
            name="Group",
            definition="Just a folder",
            children=[Code(id="leaf", name="Leaf")],
        )
    ]
    assert notes == [
        '1 code marked not codable (isCodable="false") kept as ordinary codes:'
        " 'Group'"
    ]


def test_project_namespace_sets_and_duplicate_names(tmp_path):
    path = write_qdc(
        tmp_path,
        '<Code guid="a1b2c3d4-0000-0000-0000-000000000001" name="Trust" isCodable="true"/>'
        '<Code guid="a1b2c3d4-0000-0000-0000-000000000002" name="trust" isCodable="true">'
        '<Code guid="a1b2c3d4-0000-0000-0000-000000000003" name="Trust" isCodable="true"/>'
        "</Code>",
        namespace="urn:QDA-XML:project:1.0",
        tail='<Sets><Set guid="a1b2c3d4-0000-0000-0000-000000000009" name="S">'
        '<MemberCode guid="a1b2c3d4-0000-0000-0000-000000000001"/></Set></Sets>',
    )

    codebook, notes = read_qdc(path)

    assert tree(codebook.codes) == ("Trust", ("trust (2)", ("Trust (3)",)))
    assert [code.id for code, _, _ in codebook.walk()] == [
        "trust",
        "trust_2",
        "trust_3",
    ]
    assert notes == [
        "duplicate name 'trust' renamed to 'trust (2)'",
        "duplicate name 'Trust' under 'trust (2)' renamed to 'Trust (3)'",
        "1 set skipped (code groups are not kept)",
    ]


def test_description_without_markers_is_the_definition(tmp_path):
    path = write_qdc(
        tmp_path,
        '<Code guid="{1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294}" name="A" isCodable="true">'
        "<Description>Use it for A.\nIncludes B: yes.</Description></Code>",
    )

    codebook, _ = read_qdc(path)

    assert codebook.codes[0].definition == "Use it for A.\nIncludes B: yes."
    assert codebook.codes[0].include == codebook.codes[0].exclude == ""


def test_unknown_namespace_is_read_with_a_note(tmp_path):
    path = write_qdc(
        tmp_path,
        '<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="A" isCodable="true"/>',
        namespace="urn:QDA-XML:codebook:0:4",
    )

    codebook, notes = read_qdc(path)

    assert tree(codebook.codes) == ("A",)
    assert notes == [
        "<CodeBook> has namespace 'urn:QDA-XML:codebook:0:4'; read as REFI-QDA 1.0"
    ]


def test_bare_qde_and_capitalised_entry_in_a_qdpx(tmp_path):
    with zipfile.ZipFile(REFI / "nvivo_mac15_project.qdpx") as source:
        project = source.read("project.qde")
    bare = tmp_path / "nvivo.qde"
    bare.write_bytes(project)
    archive = tmp_path / "capitals.qdpx"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("Sources/.root", b"")
        target.writestr("Project.qde", project)

    from_qde, _ = read_qdc(bare)
    from_archive, _ = read_qdc(archive)

    assert tree(from_qde.codes) == tree(from_archive.codes) == NVIVO_TREE
    assert from_qde.name == from_archive.name == "qc project"


def deep(levels: int) -> str:
    opening = "".join(
        f'<Code guid="1ff58b12-6f6f-4b0c-8be5-{level:012d}" name="Level {level}"'
        ' isCodable="true">'
        for level in range(levels)
    )
    return opening + "</Code>" * levels


def test_deep_nesting(tmp_path):
    codebook, notes = read_qdc(write_qdc(tmp_path, deep(200)))
    again, _ = read_qdc(export_to(tmp_path, codebook, "other.qdc"))

    assert notes == []
    assert [depth for _, _, depth in codebook.walk()] == list(range(200))
    assert again == codebook


def test_nesting_beyond_the_parser_limit_is_an_error(tmp_path):
    path = write_qdc(tmp_path, deep(300))

    with pytest.raises(CodebookError) as caught:
        read_qdc(path)

    assert str(caught.value) == (
        f"{path}:2: not well-formed XML: elements nested more than 256 deep,"
        " more than coder reads"
    )


# Errors ------------------------------------------------------------------------


def broken_zip(tmp_path: Path) -> Path:
    path = tmp_path / "broken.qdpx"
    path.write_bytes((REFI / "nvivo_mac15_project.qdpx").read_bytes()[:5000])
    return path


def not_xml(tmp_path: Path) -> Path:
    path = tmp_path / "picture.qdc"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    return path


def html(tmp_path: Path) -> Path:
    path = tmp_path / "page.qdc"
    path.write_text("<html>\n<body>Not a codebook</body>\n</html>\n", "utf-8")
    return path


def project_without_codebook(tmp_path: Path) -> Path:
    path = tmp_path / "empty.qde"
    path.write_text('<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>', "utf-8")
    return path


def zip_without_project(tmp_path: Path) -> Path:
    path = tmp_path / "sources.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("sources/a.txt", "hello")
    return path


def unclosed(tmp_path: Path) -> Path:
    path = tmp_path / "unclosed.qdc"
    path.write_text(
        f'<CodeBook xmlns="{CODEBOOK_NAMESPACE}">\n<Codes>\n</CodeBook>\n', "utf-8"
    )
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (broken_zip, "{path}: not a readable .qdpx (ZIP) file: "),
        (not_xml, "{path}:1: not well-formed XML: "),
        (html, "{path}:1: no <CodeBook> here: the root element is <html>,"),
        (project_without_codebook, "{path}: the project has no <CodeBook>"),
        (zip_without_project, "{path}: no project.qde in this .qdpx archive"),
        (unclosed, "{path}:3: not well-formed XML: Opening and ending tag mismatch"),
    ],
)
def test_unreadable_files_give_one_line_naming_the_file(tmp_path, make, message):
    path = make(tmp_path)

    with pytest.raises(CodebookError) as caught:
        read_qdc(path)

    assert len(caught.value.problems) == 1
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(message.format(path=path))


def test_missing_file(tmp_path):
    with pytest.raises(CodebookError, match=r"nothing\.qdc: no such file$"):
        read_qdc(tmp_path / "nothing.qdc")


LAUGHS = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))


@pytest.mark.parametrize("where", ["attribute", "text"])
def test_entities_are_never_expanded(tmp_path, where):
    name = "&lol9;" if where == "attribute" else "A"
    text = "&lol9;" if where == "text" else "B"
    path = tmp_path / "laughs.qdc"
    path.write_text(
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE CodeBook [\n<!ENTITY lol0 "lol">\n{LAUGHS}\n]>\n'
        f'<CodeBook xmlns="{CODEBOOK_NAMESPACE}"><Codes>'
        f'<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="{name}"'
        f' isCodable="true"><Description>{text}</Description></Code>'
        "</Codes></CodeBook>",
        "utf-8",
    )
    started = time.perf_counter()

    with pytest.raises(CodebookError) as caught:
        read_qdc(path)

    assert time.perf_counter() - started < 1
    assert str(caught.value) == (
        f"{path}:3: the file declares XML entities (<!ENTITY>);"
        " coder does not expand them"
    )


def test_entities_in_utf16_are_refused_too(tmp_path):
    path = tmp_path / "laughs16.qdc"
    path.write_bytes(
        (
            '<?xml version="1.0" encoding="UTF-16"?>\n'
            f'<!DOCTYPE CodeBook [<!ENTITY lol0 "lol">{LAUGHS}]>\n'
            f'<CodeBook xmlns="{CODEBOOK_NAMESPACE}"><Codes>'
            '<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="&lol9;"'
            ' isCodable="true"/></Codes></CodeBook>'
        ).encode("utf-16")
    )

    with pytest.raises(CodebookError, match="declares XML entities"):
        read_qdc(path)


def test_entities_are_refused_after_parsing_when_the_bytes_hide_them(tmp_path):
    # UTF-32 slips past the byte scan; the parsed document's DTD still shows them.
    path = tmp_path / "entity32.qdc"
    path.write_bytes(
        (
            '<?xml version="1.0" encoding="UTF-32"?>\n'
            '<!DOCTYPE CodeBook [<!ENTITY e "x">]>\n'
            f'<CodeBook xmlns="{CODEBOOK_NAMESPACE}"><Codes>'
            '<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="&e;"'
            ' isCodable="true"/></Codes></CodeBook>'
        ).encode("utf-32")
    )

    with pytest.raises(CodebookError) as caught:
        read_qdc(path)

    assert str(caught.value) == (
        f"{path}: the file declares XML entities (<!ENTITY>); coder does not expand them"
    )
