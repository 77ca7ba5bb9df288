"""Every catalogue is complete: zh-hans (default), zh-hant and en, for every app."""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent / "firstline"
CATALOGUES = sorted(ROOT.rglob("locale/*/LC_MESSAGES/django.po"))
CHINESE = [p for p in CATALOGUES if "zh_Han" in str(p)]  # zh_Hans and zh_Hant
TRADITIONAL = [p for p in CATALOGUES if "zh_Hant" in str(p)]


def _relative(path):
    return str(path.relative_to(ROOT))


def _catalogue_texts(path):
    """Every translation in the catalogue at path, plural forms included."""
    catalogue = polib.pofile(str(path))
    return [e.msgstr for e in catalogue] + [s for e in catalogue
                                            for s in e.msgstr_plural.values()]


def test_every_app_with_strings_has_all_three_languages():
    dirs = {p.parents[2] for p in CATALOGUES}
    for locale_dir in dirs:
        for lang in ("zh_Hans", "zh_Hant", "en"):
            assert (locale_dir / lang / "LC_MESSAGES/django.po").exists(), f"{locale_dir} {lang}"


@pytest.mark.parametrize("path", CATALOGUES, ids=_relative)
def test_catalogue_is_complete(path):
    catalogue = polib.pofile(str(path))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated in {path}: {untranslated[:5]}"
    assert not fuzzy, f"fuzzy in {path}: {fuzzy[:5]}"



HAN = "[\u3400-\u9fff]"
HALF_WIDTH_IN_CHINESE = re.compile(
    rf"{HAN}[,;:!?]|[,;:!?]{HAN}|{HAN}\((?!\w+\)[sd])|\({HAN}")  # %(name)s is not a bracket


@pytest.mark.parametrize("path", CHINESE, ids=_relative)
def test_chinese_text_uses_full_width_punctuation(path):
    # 金额（元）, 例如：…, not 金额(元), 例如:… — the half-width marks look broken in Chinese text.
    texts = _catalogue_texts(path)
    assert [t for t in texts if HALF_WIDTH_IN_CHINESE.search(t)] == []

# Characters that exist only in simplified script (the traditional form differs): one of them in
# a zh-hant string is a slip a Hong Kong or Taiwan reader sees at once (入戶摸排与重點人員).
SIMPLIFIED_ONLY = set(
    "这们来时间为对说会进过没发还后里开关请员检测证录记业务报级县镇户号码电话联认确实设应该变"
    "动态询导数据总计览显试权审读写环难离医疗场热温签销扫条访问题闭删编辑选择输结续项页册补种类"
    "样统谁让费无与专从两严丢临举义乐习买亏产亲仅价众优传伤侧储儿党兴养农冲决况冻净减凭则创别"
    "剂剧办劳势协卖卫历压厕吗听启响团围图圆坏块坚执扩挂换损缓罗职脑脸药获营装观规视觉订讯议讲"
    "论评识诉诊词详语误课调谈货质购贴资赶车轨转轮软轻载较辆边达迁运连选递逻遗邮邻钥铁银锁错闻"
    "闪队阶际陆随隐雇电顶须预领频风飞馆驾验骑鸡龄网栋单区门")
# Words whose every character exists in both scripts but whose traditional spelling differs.
SIMPLIFIED_WORDS = ("聯系",)  # 聯繫


@pytest.mark.parametrize("path", TRADITIONAL, ids=_relative)
def test_traditional_chinese_has_no_simplified_characters(path):
    texts = _catalogue_texts(path)
    assert [t for t in texts if SIMPLIFIED_ONLY & set(t)
            or any(w in t for w in SIMPLIFIED_WORDS)] == []


# Words a Taiwan or Hong Kong reader knows as mainland usage, even written in traditional
# characters (the local word in the comment), and the mainland quotation marks (「」『』 here).
MAINLAND_WORDS = (
    "賬",  # 帳號, 台帳
    "牀", "爲", "羣", "覈",  # 床, 為, 群, 核
    "“", "”", "‘", "’",
    "信息", "視頻", "默認", "用戶", "登錄", "保存", "創建", "網絡", "數據", "打印",  # 資訊, 影片,
    # 預設, 使用者, 登入, 儲存, 建立, 網路, 資料, 列印
    "鏈接", "導入", "字符", "文本", "服務器", "二維碼", "短信", "不支持", "菜單", "加載",
    # 連結, 匯入, 字元, 文字, 伺服器, QR 碼, 簡訊, 不支援, 選單, 載入
    "匹配", "聯繫", "添加", "令牌", "刷新", "日志",  # 比對, 聯絡, 新增, 權杖, 重新整理, 日誌
    "志願者", "身份證",  # 志工, 身分證 (Taiwan's official spelling; one form throughout)
)


@pytest.mark.parametrize("path", TRADITIONAL, ids=_relative)
def test_traditional_chinese_reads_as_taiwan_and_hong_kong(path):
    texts = _catalogue_texts(path)
    assert [(w, t) for t in texts for w in MAINLAND_WORDS if w in t] == []


# A date stands apart from the Chinese around it, as in 自 %(since)s 起 (names are not: 向%(area)s).
DATE_GLUED = re.compile(
    rf"{HAN}(%\((day|date|since|until|start|end|first|last|free|moment|when)\)s)"
    rf"|%\((day|date|since|until|start|end|first|last|free|moment|when)\)s{HAN}")


@pytest.mark.parametrize("path", CHINESE, ids=_relative)
def test_a_date_in_chinese_text_has_a_space_on_each_side(path):
    texts = _catalogue_texts(path)
    assert [t for t in texts if DATE_GLUED.search(t)] == []


def test_the_gates_next_period_date_has_a_space_on_each_side():
    from django.utils import translation

    for lang, said in [("zh-hans", "下一周期自 {n} 起。"), ("zh-hant", "下一週期自 {n} 起。")]:
        with translation.override(lang):
            assert translation.gettext("Next period from {n}.") == said


def test_no_template_puts_a_colon_after_a_translated_word():
    """{% translate "Import" %}: {{ name }} reads 导入: 名单.csv, a half-width colon in Chinese:
    the colon belongs to the sentence, translated with it ("导入：%(name)s")."""
    glued = re.compile(r'\{%\s*translate\s+"[^"]*"(?:\s+context\s+"[^"]*")?\s*%\}\s*:')
    found = [(_relative(path), m.group(0)) for path in ROOT.rglob("templates/**/*.html")
             for m in glued.finditer(path.read_text())]
    assert found == []

def test_home_page_speaks_each_language(cast, client):
    client.force_login(cast.hq)
    for lang, word in [("zh-hans", "退出"), ("zh-hant", "登出"), ("en", "Log out")]:
        client.cookies["django_language"] = lang
        assert word in client.get("/").content.decode()


def test_no_english_string_means_two_things_across_apps():
    """Django merges every app's catalogue; the same msgid translated differently in two apps
    shows one app's word in the other's page (e.g. "Assign" as 入住). Use pgettext contexts."""
    seen: dict[tuple[str, str, str], tuple[str, str]] = {}
    clashes = []
    for path in CATALOGUES:
        lang = path.parents[1].name
        if lang == "en":
            continue
        app = str(path.relative_to(ROOT)).split("/locale/")[0]
        for entry in polib.pofile(str(path)):
            if entry.msgid_plural or not entry.msgstr:
                continue
            key = (lang, entry.msgctxt or "", entry.msgid)
            if key in seen and seen[key][1] != entry.msgstr and seen[key][0] != app:
                clashes.append((lang, entry.msgid, seen[key], (app, entry.msgstr)))
            seen.setdefault(key, (app, entry.msgstr))
    assert not clashes, f"{len(clashes)} clashes, e.g. {clashes[:8]}"


def test_form_errors_speak_plainly_in_chinese():
    """Django's stock Chinese ("确保该变量包含不超过 30 字符") is jargon to a community worker."""
    from django import forms
    from django.utils import translation

    class Form(forms.Form):
        province = forms.CharField(max_length=3)

    for lang, too_long, required in [("zh-hans", "太长：最多 3 个字，现有 5 个。", "此项必填。"),
                                     ("zh-hant", "太長：最多 3 個字，現有 5 個。", "此項必填。")]:
        with translation.override(lang):
            assert Form({"province": "湖北省武汉"}).errors["province"] == [too_long]
            assert Form({}).errors["province"] == [required]


def _catalogue_keys(lang: str) -> set[tuple[str, str]]:
    return {(e.msgctxt or "", e.msgid) for path in CATALOGUES if path.parents[1].name == lang
            for e in polib.pofile(str(path))}


def _marked_strings():
    """(file, context, msgid) of every literal string marked for translation: gettext calls
    in the code (read with ast, so split literals join as Python joins them) and
    {% translate "…" [context "…"] %} in the templates."""
    import ast

    names = {"_": 0, "gettext": 0, "gettext_lazy": 0, "pgettext": 1, "pgettext_lazy": 1,
             "N_": 0, "gettext_noop": 0}  # N_: a message kept as facts (firstline.texts)
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in names or len(node.args) <= names[name]:
                continue
            args = node.args[:names[name] + 1]
            if all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
                context = args[0].value if names[name] else ""
                yield path, context, args[-1].value
    tag = re.compile(r'\{%\s*translate\s+"([^"]*)"(?:\s+context\s+"([^"]*)")?')
    for path in ROOT.rglob("templates/**/*.html"):
        for m in tag.finditer(path.read_text()):
            yield path, m.group(2) or "", m.group(1)


@pytest.mark.parametrize("lang", ["zh_Hans", "zh_Hant"])
def test_every_marked_string_has_its_entry_with_its_context(lang):
    # A pgettext("report figure", "Disinfection rounds") whose catalogue entry lacks the
    # context shows English on a Chinese page and in the daily report's workbook.
    keys = _catalogue_keys(lang)
    missing = sorted({(str(p.relative_to(ROOT)), c, m) for p, c, m in _marked_strings()
                      if (c, m) not in keys})
    assert missing == []
