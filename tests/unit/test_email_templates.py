"""Email templates: parsing, rendering, choosing, linting, and the starter set."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.domain.codes import REASONS
from workbench.mail.template_lint import sample_variables
from workbench.mail.templates import (
    EmailRenderError,
    EmailTemplate,
    choose_email_template,
    email_variables,
    lint_email_file,
    load_email_templates,
    parse_email_template,
    render_email,
)
from workbench.talk.i18n import use_language
from workbench.talk.lint import check_paths, count_email_files, iter_script_files
from workbench.talk.model import Severity, script_version

REPO = Path(__file__).parents[2]
TALKSCRIPTS = REPO / "talkscripts"

GOOD = """\
---
id: {id}
title: テスト用のご挨拶
reasons: {reasons}
kind: {kind}
language: ja
purpose: {purpose}
active: {active}
subject: {{% if rep_name %}}{{{{ company_name }}}}の{{{{ rep_name }}}}より{{% else %}}{{{{ company_name }}}}より{{% endif %}}、ご無沙汰のご挨拶
---

メモ: この行は送信されません。

## text 本文
{{{{ addressee }}}}

{{{{ company_name }}}}です。ご返信をお待ちしております。
{{{{ company_name }}}}　お問い合わせ: {{{{ sender_address }}}}
配信停止: {{{{ unsubscribe_mailto }}}}
"""


@pytest.fixture(autouse=True)
def _japanese_messages() -> Iterator[None]:
    previous = use_language("ja")
    yield
    use_language(previous)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def good(template_id: str = "greeting", reasons: str = "unknown", kind: str = "any",
         purpose: str = "first", active: str = "true") -> str:  # fmt: skip
    return GOOD.format(id=template_id, reasons=reasons, kind=kind, purpose=purpose, active=active)


def errors(path: Path) -> list[tuple[str, int]]:
    return [(i.code, i.line) for i in lint_email_file(path) if i.severity is Severity.ERROR]


def variables(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "customer_name": "佐藤 花子", "kind": "b2c", "company_name": "みどり食品株式会社",
        "rep_name": "鈴木", "category_label": None, "months_dormant": None,
        "unsubscribe_url": None, "unsubscribe_mailto": "stop@example.jp",
        "sender_address": "info@example.jp", "language": "ja",
    }  # fmt: skip
    values.update(changes)
    return email_variables(**values)  # type: ignore[arg-type]


# parsing


def test_parse_reads_front_matter_sections_and_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "email" / "ja", "greeting", good(reasons="price, moved", kind="b2c"))
    data = path.read_bytes()
    template, issues = parse_email_template(path, data)
    assert issues == []
    assert template is not None
    assert (template.id, template.title, template.kind, template.language) == (
        "greeting", "テスト用のご挨拶", "b2c", "ja"
    )  # fmt: skip
    assert template.reasons == ("price", "moved")
    assert template.purpose == "first" and template.active and template.html is None
    assert template.version == script_version(data) and len(template.version) == 12
    assert template.subject.startswith("{% if rep_name %}")
    assert template.subject_line == 9
    assert template.text_line == 15  # the line after "## text 本文"
    assert "メモ" not in template.text
    assert template.serves("price", "b2c") and not template.serves("price", "b2b")
    assert not template.serves("unknown", "b2c")


def test_purpose_defaults_to_first(tmp_path: Path) -> None:
    text = good().replace("purpose: first\n", "")
    template, issues = parse_email_template(tmp_path / "x.md", text.encode())
    assert template is not None and template.purpose == "first"
    assert [i for i in issues if i.severity is Severity.ERROR] == []


def test_editing_a_template_changes_its_version(tmp_path: Path) -> None:
    first, _ = parse_email_template(tmp_path / "greeting.md", good().encode())
    second, _ = parse_email_template(tmp_path / "greeting.md", (good() + "\n").encode())
    assert first is not None and second is not None and first.version != second.version


# linting


def test_a_good_template_has_no_issue(tmp_path: Path) -> None:
    assert lint_email_file(write(tmp_path / "ja", "greeting", good())) == []


def test_broken_front_matter_and_sections_are_reported_with_their_lines(tmp_path: Path) -> None:
    text = good(reasons="price, bored", purpose="later").replace("kind: any", "kind: everyone")
    path = write(tmp_path / "ja", "greeting", text + "\n## htlm\n<p>{{ addressee }}</p>\n")
    assert errors(path) == [
        ("unknown-reason", 4),  # bored
        ("front-matter", 5),  # kind
        ("front-matter", 7),  # purpose
        ("section-heading", 21),  # ## htlm is no section of an email
    ]


def test_an_empty_text_section_is_an_error(tmp_path: Path) -> None:
    text = good().split("## text 本文")[0] + "## text 本文\n\n## html\n<p>x</p>\n"
    assert ("missing-section", 14) in errors(write(tmp_path / "ja", "greeting", text))


def test_missing_text_section_and_subject_are_errors(tmp_path: Path) -> None:
    lines = good().split("## text 本文")[0].splitlines()
    text = "\n".join(line for line in lines if not line.startswith("subject:")) + "\n"
    found = errors(write(tmp_path / "ja", "greeting", text))
    assert ("front-matter", 1) in found  # subject is required
    assert ("missing-section", 10) in found


def test_an_unknown_variable_is_reported_on_its_file_line(tmp_path: Path) -> None:
    text = good().replace("{{ company_name }}です。", "{{ company_name }}です。{{ coupon_code }}")
    assert errors(write(tmp_path / "ja", "greeting", text)) == [("unknown-variable", 17)]


def test_a_syntax_error_is_reported_on_its_file_line(tmp_path: Path) -> None:
    text = good().replace(
        "配信停止: {{ unsubscribe_mailto }}", "配信停止: {{ unsubscribe_mailto }\n"
    )
    found = errors(write(tmp_path / "ja", "greeting", text))
    assert [code for code, _ in found] == ["syntax"]
    assert found[0][1] in (19, 20)  # Jinja names the line of the unclosed tag or the next


def test_printing_an_unset_value_fails_the_trial_render_on_its_line(tmp_path: Path) -> None:
    text = good().replace("{{ company_name }}です。", "{{ company_name }}の{{ rep_name }}です。")
    [issue] = lint_email_file(write(tmp_path / "ja", "greeting", text))
    assert (issue.code, issue.line, issue.severity) == ("render", 17, Severity.ERROR)
    assert "rep_name" in issue.message


def test_missing_unsubscribe_is_a_legal_error(tmp_path: Path) -> None:
    text = good().replace("配信停止: {{ unsubscribe_mailto }}\n", "")
    [issue] = lint_email_file(write(tmp_path / "ja", "greeting", text))
    assert (issue.code, issue.line) == ("law-unsubscribe", 14)  # the "## text" heading
    assert "特定電子メール法" in issue.message and "unsubscribe_mailto" in issue.message


def test_unsubscribe_shown_only_on_one_path_is_a_legal_error(tmp_path: Path) -> None:
    text = good().replace(
        "配信停止: {{ unsubscribe_mailto }}",
        "{% if unsubscribe_url %}配信停止: {{ unsubscribe_url }}{% endif %}",
    )
    assert errors(write(tmp_path / "ja", "greeting", text)) == [("law-unsubscribe", 14)]


def test_missing_sender_address_is_a_legal_error(tmp_path: Path) -> None:
    text = good().replace("お問い合わせ: {{ sender_address }}", "")
    assert errors(write(tmp_path / "ja", "greeting", text)) == [("law-sender", 14)]


def test_a_subject_over_two_lines_is_an_error(tmp_path: Path) -> None:
    text = good().replace("、ご無沙汰のご挨拶", "{{ '\\n' }}ご無沙汰のご挨拶")
    assert errors(write(tmp_path / "ja", "greeting", text)) == [("subject", 9)]


def test_an_html_part_without_unsubscribe_is_a_warning(tmp_path: Path) -> None:
    text = good() + "\n## html\n<p>{{ addressee }}</p>\n"
    [issue] = lint_email_file(write(tmp_path / "ja", "greeting", text))
    assert (issue.code, issue.severity) == ("law-html", Severity.WARNING)


def test_duplicate_ids_within_a_language_are_errors(tmp_path: Path) -> None:
    write(tmp_path / "email" / "ja", "greeting", good())
    write(tmp_path / "email" / "ja", "greeting2", good())  # same id, other file
    write(tmp_path / "email" / "en", "greeting", good().replace("language: ja", "language: en"))
    issues = [i for i in check_paths([tmp_path]) if i.severity is Severity.ERROR]
    assert [(i.path.name, i.code, i.line) for i in issues] == [("greeting2.md", "duplicate-id", 2)]


# loading


def test_load_serves_good_templates_and_reports_broken_ones(tmp_path: Path) -> None:
    folder = tmp_path / "email" / "ja"
    write(folder, "greeting", good())
    write(folder, "broken", good("broken").replace("配信停止: {{ unsubscribe_mailto }}\n", ""))
    write(folder, "zcopy", good())  # id greeting again, read after greeting.md
    write(tmp_path / "email" / "en", "other", good("other").replace("language: ja", "language: en"))
    templates, issues = load_email_templates(tmp_path, "ja")
    assert [t.id for t in templates] == ["greeting"]
    assert [t.path.name for t in templates] == ["greeting.md"]
    assert sorted((i.path.name, i.code) for i in issues) == [
        ("broken.md", "law-unsubscribe"),
        ("zcopy.md", "duplicate-id"),
        ("zcopy.md", "id-filename"),
    ]


def test_load_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert load_email_templates(tmp_path, "en") == ([], [])


# rendering


def test_render_a_japanese_subject_and_text(tmp_path: Path) -> None:
    template, _ = parse_email_template(write(tmp_path, "greeting", good()), good().encode())
    assert template is not None
    email = render_email(template, variables())
    assert email.subject == "みどり食品株式会社の鈴木より、ご無沙汰のご挨拶"
    assert email.text.startswith("佐藤 花子様\n\nみどり食品株式会社です。")
    assert "配信停止: stop@example.jp" in email.text and email.html is None
    without_rep = render_email(template, variables(rep_name=None))
    assert without_rep.subject == "みどり食品株式会社より、ご無沙汰のご挨拶"


def test_a_render_failure_names_file_and_line(tmp_path: Path) -> None:
    text = good().replace("{{ company_name }}です。", "{{ company_name }}の{{ rep_name }}です。")
    path = write(tmp_path, "greeting", text)
    template, _ = parse_email_template(path, text.encode())
    assert template is not None
    with pytest.raises(EmailRenderError) as caught:
        render_email(template, variables(rep_name=None))
    assert str(caught.value).startswith(f"{path}:17: ")
    assert caught.value.line == 17 and caught.value.part == "text"


def test_html_escapes_values_but_text_does_not(tmp_path: Path) -> None:
    text = good() + "\n## html\n<p>{{ addressee }}</p>\n<p>{{ unsubscribe_mailto }}</p>\n"
    template, _ = parse_email_template(tmp_path / "greeting.md", text.encode())
    assert template is not None
    email = render_email(template, variables(customer_name="<b>佐藤</b>"))
    assert email.html is not None and "<p>&lt;b&gt;佐藤&lt;/b&gt;様</p>" in email.html
    assert email.text.startswith("<b>佐藤</b>様")


def test_email_variables_mark_unset_values_and_address_the_customer() -> None:
    values = variables(kind="b2b", customer_name="株式会社山田商事", rep_name="")
    assert values["addressee"] == "株式会社山田商事 ご担当者様"
    assert not values["rep_name"] and not values["offer"] and not values["unsubscribe_url"]
    english = email_variables(
        customer_name="Hannah Sato", kind="b2c", company_name="Green Table Foods", rep_name=None,
        category_label=None, months_dormant=11, unsubscribe_url="https://x.example/u",
        unsubscribe_mailto="stop@x.example", sender_address="hi@x.example", language="en",
        offer={"name": "loyalty discount", "discount": ""},
    )  # fmt: skip
    assert english["addressee"] == "Hannah Sato" and english["months_dormant"] == 11
    assert str(english["offer"]) == "loyalty discount" and not english["offer"]["discount"]


# choosing


def template(template_id: str, reasons: tuple[str, ...] = ("unknown",), kind: str = "any",
             purpose: str = "first", active: bool = True, version: str = "v1") -> EmailTemplate:  # fmt: skip
    return EmailTemplate(
        id=template_id, version=version, title=template_id, reasons=reasons, kind=kind,
        language="ja", purpose=purpose, subject="件名", text="本文", html=None, active=active,
        variant_group=None, path=Path(f"{template_id}.md"),
    )  # fmt: skip


def pick(templates: list[EmailTemplate], reason: str = "price", kind: str = "b2c",
         purpose: str = "first", seed: int = 1) -> EmailTemplate | None:  # fmt: skip
    return choose_email_template(templates, reason=reason, kind=kind, purpose=purpose, stats={},
                                 rng=random.Random(seed))  # fmt: skip


def test_thompson_sampling_prefers_the_clearly_better_variant() -> None:
    better, worse = template("a", ("price",)), template("b", ("price",))
    stats = {("a", "v1"): (30, 100), ("b", "v1"): (5, 100), ("b", "old"): (90, 100)}
    rng = random.Random(20261201)
    counts = Counter(
        chosen.id
        for _ in range(2000)
        if (
            chosen := choose_email_template(
                [worse, better], reason="price", kind="b2c", purpose="first", stats=stats, rng=rng
            )
        )  # fmt: skip
    )
    assert counts["a"] > 0.9 * 2000
    assert counts["b"] > 0  # exploration still sends the worse one now and then


def test_without_statistics_both_variants_are_tried() -> None:
    pair = [template("a", ("price",)), template("b", ("price",))]
    chosen = {pick(pair, seed=seed).id for seed in range(40)}  # type: ignore[union-attr]
    assert chosen == {"a", "b"}


def test_falls_back_to_templates_serving_unknown() -> None:
    general, moved = template("general"), template("moved", ("moved",))
    assert pick([moved, general], reason="price") is general
    assert pick([moved, general], reason="moved") is moved
    assert pick([moved], reason="price") is None


def test_choice_respects_purpose_kind_and_active() -> None:
    first = template("first")
    reminder = template("reminder", purpose="reminder")
    b2b_only = template("b2b", ("price",), kind="b2b")
    retired = template("retired", ("price",), active=False)
    pool = [first, reminder, b2b_only, retired]
    assert pick(pool, purpose="reminder") is reminder
    assert pick(pool, purpose="followup") is None
    assert pick(pool, kind="b2b") is b2b_only
    assert pick(pool, kind="b2c") is first  # retired is never chosen; falls back to unknown
    with pytest.raises(ValueError):
        choose_email_template(pool, reason="price", kind="b2c", purpose="first", stats={},
                              rng=random.Random(1), epsilon=1.5)  # fmt: skip


# the scripts tree


def test_scripts_check_routes_email_templates_to_their_linter(tmp_path: Path) -> None:
    path = write(tmp_path / "email" / "ja", "greeting", good())
    assert list(iter_script_files([tmp_path])) == []
    assert count_email_files([tmp_path]) == 1
    assert check_paths([tmp_path]) == []  # a talk-script lint would miss opening/hearing/closing
    assert check_paths([path]) == []


@pytest.mark.parametrize("language", ["ja", "en"])
def test_starter_set_loads_without_issues_and_covers_every_reason(language: str) -> None:
    templates, issues = load_email_templates(TALKSCRIPTS, language)
    assert [str(i) for i in issues] == []
    firsts = [t for t in templates if t.purpose == "first"]
    for reason in REASONS:
        assert any(reason in t.reasons for t in firsts), reason
    purposes = Counter(t.purpose for t in templates if "unknown" in t.reasons)
    assert purposes["first"] >= 1 and purposes["reminder"] >= 1 and purposes["followup"] >= 1
    groups = Counter(t.variant_group for t in templates if t.variant_group)
    assert any(count >= 2 for count in groups.values())
    assert any(t.html is not None for t in templates)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_starter_set_renders_for_every_sample_customer(language: str) -> None:
    templates, _ = load_email_templates(TALKSCRIPTS, language)
    for found in templates:
        for kind in ("b2c", "b2b") if found.kind == "any" else (found.kind,):
            for full in (True, False):
                values = sample_variables(kind, language, full)
                email = render_email(found, values)
                assert "\n" not in email.subject and email.subject
                assert values["company_name"] in email.text
                assert values["unsubscribe_mailto"] in email.text, found.path
                # a listening tone: every template invites a reply
                assert ("返信" if language == "ja" else "reply") in email.text, found.path


def test_japanese_starter_set_has_no_english_in_what_the_customer_reads() -> None:
    templates, _ = load_email_templates(TALKSCRIPTS, "ja")
    values = sample_variables("b2c", "ja", True)
    address = re.compile(r"\S+@\S+|https?://\S+")
    for found in templates:
        email = render_email(found, values)
        for part in (email.subject, email.text, found.title):
            visible = address.sub("", part)
            assert not re.search(r"[A-Za-z]", visible), (found.path, visible)
        if email.html is not None:
            shown = re.sub(r"<[^>]+>", "", email.html)
            assert not re.search(r"[A-Za-z]", address.sub("", shown)), found.path


def test_render_refuses_a_subject_over_two_lines(tmp_path: Path) -> None:
    text = good().replace("、ご無沙汰のご挨拶", "{{ '\\n' }}ご無沙汰のご挨拶")
    path = write(tmp_path, "greeting", text)
    template, _ = parse_email_template(path, text.encode())
    assert template is not None
    with pytest.raises(EmailRenderError) as caught:
        render_email(template, variables())
    assert str(caught.value).startswith(f"{path}:9: ") and caught.value.part == "subject"
