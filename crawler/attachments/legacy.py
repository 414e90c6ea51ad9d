"""Legacy Office files (.doc, .wps, .xls) through Debian tools: antiword for Word and WPS
text documents, else LibreOffice headless (``soffice --convert-to``), when installed.

Without either the outcome says what to install; nothing is guessed from the raw bytes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from crawler.attachments.extracted import Extraction
from crawler.attachments.limits import Limits
from crawler.attachments.text import assemble

ANTIWORD_ENV = "NEWSWATCH_ANTIWORD"  # a path overrides the PATH look-up ("" = none)
SOFFICE_ENV = "NEWSWATCH_SOFFICE"
# LibreOffice maps far more address space than it uses: 4x the child's cap.
LIBREOFFICE_MEMORY_FACTOR = 4


def tool(name: str, env: str) -> str | None:
    """The tool's path: the environment's override ("" turns it off), else PATH."""
    if env in os.environ:
        return os.environ[env] or None
    return shutil.which(name) or (shutil.which("libreoffice") if name == "soffice" else None)


def legacy_text(data: bytes, kind: str, limits: Limits) -> Extraction:
    """Text of a .doc/.wps (``kind`` doc or wps) or .xls (``kind`` xls)."""
    antiword = tool("antiword", ANTIWORD_ENV) if kind in ("doc", "wps") else None
    soffice = tool("soffice", SOFFICE_ENV)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="newswatch-attachment-") as tmp:
        path = Path(tmp) / f"attachment.{kind}"
        path.write_bytes(data)
        if antiword:
            done = _run([antiword, "-m", "UTF-8.txt", "-w", "0", str(path)], limits)
            if isinstance(done, Extraction):
                return done
            if done.returncode == 0 and done.stdout.strip():
                text = done.stdout.decode("utf-8", "replace")
                return assemble([("1", text)], kind, limits)
            problems.append("antiword: " + _first_line(done.stderr, path)
                            if done.stderr.strip() else "antiword found no text")
        if soffice:
            target = "csv:Text - txt - csv (StarCalc):44,34,76" if kind == "xls" else \
                "txt:Text (encoded):UTF8"
            # The import filter is named: left to guess, LibreOffice opens a file it cannot
            # read as plain text and "converts" its raw bytes.
            source = "MS Excel 97" if kind == "xls" else "MS Word 97"
            done = _run([soffice, "--headless", "--norestore", "--nolockcheck",
                         f"-env:UserInstallation=file://{tmp}/profile",
                         f"--infilter={source}", "--convert-to", target,
                         "--outdir", str(Path(tmp) / "out"), str(path)], limits,
                        memory_factor=LIBREOFFICE_MEMORY_FACTOR)
            if isinstance(done, Extraction):
                return done
            outputs = sorted((Path(tmp) / "out").glob("attachment.*"))
            if outputs:
                text = outputs[0].read_bytes()[:limits.max_chars * 4].decode("utf-8", "replace")
                text = text.removeprefix("\ufeff")
                return assemble([("1", text)], kind, limits)
            problems.append("LibreOffice: " + (_first_line(done.stderr, path)
                                               or "converted nothing"))
    if problems:
        readable = "Word" if kind != "xls" else "Excel"
        return Extraction("corrupt", f"corrupt: not a readable {readable} file "
                                     f"({'; '.join(problems)})", kind)
    needs = "LibreOffice" if kind == "xls" else "antiword or LibreOffice"
    return Extraction("not_extracted", f"not extracted: needs {needs}", kind)


def _run(argv: list[str], limits: Limits, *, memory_factor: int = 1):
    # A little under the parent's deadline: this process then kills the tool itself
    # rather than being killed and leaving it running.
    timeout = max(0.1, limits.timeout * 0.8)

    def more_memory():
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if soft > 0:
            wanted = soft * memory_factor
            resource.setrlimit(resource.RLIMIT_AS, (wanted if hard < 0 else min(wanted, hard),
                                                    hard))
    try:
        # Its own process group, so that a time-out ends whatever the tool started too.
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=True,
                                   preexec_fn=more_memory if memory_factor > 1 else None)
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return Extraction("timeout", f"not extracted: {Path(argv[0]).name} took longer "
                                         f"than {timeout:g} s (NEWSWATCH_ATTACHMENT_TIMEOUT)")
        return subprocess.CompletedProcess(argv, process.returncode, out, err)
    except OSError as exc:
        return Extraction("not_extracted", f"not extracted: cannot run {argv[0]}: {exc}")


def _first_line(stderr: bytes, path: Path) -> str:
    text = stderr.decode("utf-8", "replace").replace(str(path), "the file").strip()
    return text.splitlines()[0][:200] if text else ""
