"""The shared sensitive-word check (issue 15 §4): what it catches however it is written,
what it leaves alone, and that a change to the list applies at once."""

import pytest

from core import sensitive_words
from core.models import SensitiveWord

pytestmark = pytest.mark.django_db


@pytest.fixture
def words():
    for word in ("刷单", "Casino"):
        SensitiveWord.objects.get_or_create(word=word)


@pytest.mark.parametrize(
    "text", ["招人刷单", "刷 单", "刷.单", "刷-单", "ＣＡＳＩＮＯ开业", "casino", "刷\u3000单"]
)
def test_a_listed_word_is_found_however_it_is_written(words, text):
    assert sensitive_words.found_in(text)
    assert "cannot be shown in public" in sensitive_words.problem(text)


@pytest.mark.parametrize("text", ["", "  ", "一件新雨衣", "刷卡", "单车", None])
def test_ordinary_text_passes(words, text):
    assert sensitive_words.found_in(text) == [] and sensitive_words.problem(text) == ""


def test_a_change_to_the_list_applies_at_once(words):
    assert not sensitive_words.found_in("一起打麻将赢钱")
    word = SensitiveWord.objects.create(word="赢钱")
    assert sensitive_words.found_in("一起打麻将赢钱") == ["赢钱"]
    word.active = False
    word.save()
    assert not sensitive_words.found_in("一起打麻将赢钱")
    SensitiveWord.objects.filter(word="刷单").delete()  # the admin's bulk delete, too
    assert not sensitive_words.found_in("刷单")
