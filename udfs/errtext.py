"""Chinese sentences for the errors of the operating system and of the libraries that read
files: what a clerk sees instead of ``No space left on device``, ``File is not a zip file``,
lxml's ``line 1, column 8`` or TOML's ``Invalid value``. The original English goes to the
log only. Plain standard library: every layer (engine, processor, add-in) may use it.
"""
from __future__ import annotations

import errno
import re

# errno → the reason, in words a clerk and an administrator understand
OS_REASONS: dict[int, str] = {
    errno.ENOSPC: "磁盘已满",
    errno.EROFS: "只读文件系统（无法写入）",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EEXIST: "文件已存在",
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "这是文件夹，不是文件",
    errno.EBUSY: "文件正被占用",
    errno.EIO: "磁盘读写错误（输入输出错误）",
    errno.EMFILE: "同时打开的文件太多",
    errno.ENFILE: "同时打开的文件太多",
    errno.EXDEV: "不能跨磁盘移动文件",
    errno.ETIMEDOUT: "连接超时",
    errno.ECONNREFUSED: "服务器拒绝连接（服务未运行或端口不对）",
    errno.EHOSTUNREACH: "无法到达服务器",
    errno.ENETUNREACH: "网络不可达",
    errno.ENOTEMPTY: "文件夹不是空的",
    errno.EINVAL: "文件名或参数无效",
    errno.ELOOP: "路径中的链接形成循环",
}
if hasattr(errno, "EDQUOT"):
    OS_REASONS[errno.EDQUOT] = "磁盘配额已满"
# Windows: a file another program holds open (Excel, WPS, an antivirus scan)
WIN_OPEN = {32: "文件正被其他程序（Excel、WPS 或杀毒软件）占用", 33: "文件的一部分被其他程序锁定"}
WIN_REASONS = {**WIN_OPEN, 5: "没有权限", 112: "磁盘已满", 206: "文件名过长", 19: "磁盘写保护（只读）",
               3: "文件夹不存在", 2: "文件不存在", 183: "文件已存在"}


def is_file_open(e: OSError) -> bool:
    """The OS says another program holds the file open (Windows sharing violation)."""
    return getattr(e, "winerror", None) in WIN_OPEN


def os_reason(e: OSError) -> str:
    win = getattr(e, "winerror", None)
    if win in WIN_REASONS:
        return WIN_REASONS[win]
    if e.errno in OS_REASONS:
        return OS_REASONS[e.errno]
    return f"系统错误（错误码 {e.errno}）" if e.errno else "系统错误"


def os_text(e: OSError, path: object = None) -> str:
    """「磁盘已满：/srv/out/提醒.xlsx」: the reason and the file the OS named (or ``path``)."""
    where = path if path is not None else (e.filename if e.filename is not None else None)
    if where is None:
        return os_reason(e)
    if isinstance(where, bytes):
        where = where.decode("utf-8", "replace")
    more = f" → {e.filename2}" if getattr(e, "filename2", None) and path is None else ""
    return f"{os_reason(e)}：{where}{more}"


# ----------------------------------------------------------------------------- TOML
_TOML_AT = re.compile(r"^(?P<msg>.*?)\s*\(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)\s*$", re.S)
_TOML_MSGS: tuple[tuple[str, str], ...] = (
    ("Invalid value", "值无效（文本要加引号，日期写 2026-11-23，数字不加单位）"),
    ("Expected '=' after a key", "键名后面缺少「=」"),
    ("Invalid initial character for a key", "键名开头的字符无效"),
    ("Invalid statement", "无法识别的语句"),
    ("Cannot overwrite a value", "同一个键写了两次"),
    ("Cannot declare", "同一个表写了两次"),
    ("Unclosed array", "数组缺少右方括号「]」"),
    ("Unclosed inline table", "内联表缺少右花括号「}」"),
    ("Expected ']' at the end of a table declaration", "表名缺少右方括号「]」"),
    ("Expected ']]' at the end of an array declaration", "表名缺少「]]」"),
    ("Unterminated string", "字符串缺少结束引号"),
    ("Illegal character", "有不允许的字符"),
    ("Expected newline or end of document", "一行只能写一个键值对"),
    ("Invalid date or datetime", "日期无效"),
    ("Invalid hex value", "十六进制数无效"),
)


def toml_text(e: Exception) -> str:
    """「第 3 行第 5 列：值无效（…）」 from a ``tomllib.TOMLDecodeError``."""
    text = str(e)
    m = _TOML_AT.match(text)
    msg = m.group("msg") if m else text
    reason = next((zh for en, zh in _TOML_MSGS if msg.startswith(en)), "格式错误")
    if m and m.group("line"):
        return f"第 {m.group('line')} 行第 {m.group('col')} 列：{reason}"
    return f"文件末尾：{reason}" if m else reason


# ----------------------------------------------------------------------------- XML, zip
_XML_AT = re.compile(r"line (\d+), column (\d+)")


def xml_text(e: Exception) -> str:
    """「XML 格式错误（第 1 行第 8 列）」 from an lxml ``XMLSyntaxError`` (or its text)."""
    line = getattr(e, "lineno", None)
    pos = getattr(e, "position", None)
    if line is None:
        m = _XML_AT.search(str(e))
        if m:
            line, pos = int(m.group(1)), (int(m.group(1)), int(m.group(2)))
    col = pos[1] if isinstance(pos, tuple) and len(pos) > 1 else None
    if line and col:
        return f"XML 格式错误（第 {line} 行第 {col} 列）"
    return f"XML 格式错误（第 {line} 行）" if line else "XML 格式错误"


_DETAILS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"File is not a zip file", re.I), "不是 zip 压缩包"),
    (re.compile(r"Bad CRC-32 for file '?([^'\s]*)'?", re.I), r"部件 \1 校验和不符（文件不完整或被改动）"),
    (re.compile(r"Bad magic number for (?:file header|central directory)[^)）]*", re.I), "压缩包的文件头损坏"),
    (re.compile(r"Truncated file header|unexpected end of data|truncated|EOF", re.I), "文件被截断（不完整）"),
    (re.compile(r"Error -?\d+ while decompressing data[^)）]*", re.I), "解压失败（数据损坏）"),
    (re.compile(r"(\S+): bad local header", re.I), r"部件 \1 的文件头损坏"),
    (re.compile(r"That compression method is not supported", re.I), "不支持的压缩方式"),
    (re.compile(r"zipfiles that span multiple disks are not supported", re.I), "分卷压缩包不受支持"),
    (re.compile(r"Overlapped entries[^)）]*|duplicate name[^)）]*", re.I), "压缩包内的部件重叠或重名（可能是恶意文件）"),
)
_NAMES = re.compile(r"\S*[/.]\S*")                    # part and file names stay as they are
_KEEP = {"zip", "XML", "xlsx", "xlsm"}


def detail_text(text: str) -> str:
    """A library's English detail (zip, XML, TOML, OS) as Chinese, in place inside a Chinese
    sentence; text the table does not know becomes 「格式错误」 (the original goes to the log)."""
    text = str(text)
    m = re.search(r"\[Errno (\d+)\]", text)
    if m:
        return os_reason(OSError(int(m.group(1)), ""))
    if _XML_AT.search(text):
        return xml_text(Exception(text))
    if _TOML_AT.match(text):
        return toml_text(Exception(text))
    for pattern, zh in _DETAILS:
        if pattern.search(text):
            text = pattern.sub(zh, text, count=1)
            break
    left = set(re.findall(r"[A-Za-z]{3,}", _NAMES.sub(" ", text))) - _KEEP
    return "格式错误" if left else text
