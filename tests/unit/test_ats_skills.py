"""The skills taxonomy and its matcher: token boundaries, aliases, ambiguous names."""

from __future__ import annotations

import json

import pytest

from services.ats_engine.skills import TAXONOMY_FILE, default_taxonomy

taxonomy = default_taxonomy()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We use JavaScript and React", {"JavaScript", "React"}),
        ("Java 17 and Kotlin", {"Java", "Kotlin"}),
        ("C++ and C# engineers", {"C++", "C#"}),
        ("Backend in Go; we go live weekly", {"Go"}),
        ("node.js services on Node.js", {"Node.js"}),
        ("postgresql, PostgreSQL", {"PostgreSQL"}),
        ("JS, k8s and Postgres", {"JavaScript", "Kubernetes", "PostgreSQL"}),
        ("Python/Django, AWS/GCP, CI/CD", {"Python", "Django", "AWS", "GCP", "CI/CD"}),
        (".NET and ASP.NET", {".NET"}),
        ("Amazon Web Services and Structured query language", {"AWS", "SQL"}),
    ],
)
def test_skills_are_found_on_token_boundaries_with_aliases(text: str, expected: set[str]) -> None:
    assert taxonomy.extract(text) == expected


def test_java_is_not_found_inside_javascript() -> None:
    assert "Java" not in taxonomy.extract("Senior JavaScript developer")


def test_js_is_not_found_inside_node_js() -> None:
    assert taxonomy.extract("We run Node.js") == {"Node.js"}


@pytest.mark.parametrize("text", ["Let us Go to the market tomorrow", "go team",
                                  "We excel at teamwork", "net revenue grew 10%",
                                  "we react fast to incidents"])
def test_ordinary_words_are_not_skills(text: str) -> None:
    assert taxonomy.extract(text) == frozenset()


@pytest.mark.parametrize("text", ["Go: small controllers and command-line tools",
                                  "Languages: Python, Go, Rust", "R for statistical modelling"])
def test_ambiguous_names_count_where_context_says_so(text: str) -> None:
    assert taxonomy.extract(text) & {"Go", "R"}


def test_hits_carry_the_span_that_named_the_skill() -> None:
    text = "Ran k8s clusters"
    [hit] = taxonomy.find(text)
    assert (hit.skill, text[hit.start:hit.end]) == ("Kubernetes", "k8s")


def test_taxonomy_file_is_large_versioned_and_attributed() -> None:
    document = json.loads(TAXONOMY_FILE.read_text())
    assert len(document["skills"]) >= 2000
    assert document["version"] == taxonomy.version
    assert "O*NET" in document["attribution"]
    assert taxonomy.canonical("Postgres") == "PostgreSQL"


def test_specific_skills_weigh_more_than_generic_ones() -> None:
    skills = taxonomy.skills
    assert skills["Kubernetes"].specificity > skills["Microsoft Excel"].specificity


@pytest.mark.parametrize("text", ["heavy maintenance (C-check or higher)",
                                  "refrigeration & A/C mechanics"])
def test_a_letter_of_another_word_is_not_the_c_language(text: str) -> None:
    assert "C" not in taxonomy.extract(text)


def test_c_beside_another_language_is_still_c() -> None:
    assert {"C", "C++"} <= taxonomy.extract("Languages: C/C++, Python")
