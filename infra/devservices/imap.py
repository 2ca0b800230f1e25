"""Debian's Dovecot as a local IMAP server: the candidates' mailbox for confirmation e-mails.

Run with its own configuration, base and state folders under .dev/imap, plaintext logins on
127.0.0.1 only, one mailbox user whose password is generated beside the data. As root, the
login and mail processes run as Debian's `dovenull` and `dovecot` users (Dovecot refuses root
for them); otherwise everything runs as the current user.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

from infra.devservices.config import HOST
from infra.devservices.process import DevServiceError, apt_install, spawn
from infra.devservices.service import Service, timed
from infra.settings import persistent_secret

PACKAGE = "dovecot-imapd"
BINARY = Path("/usr/sbin/dovecot")
DEFAULT_PORT = 16143
USER = "jams"
MAILBOX = "INBOX"


class Imap(Service):
    """dovecot on 127.0.0.1 with maildirs in .dev/imap/mail."""

    name = "imap"
    expect = "dovecot"
    ready_timeout = 20.0

    @property
    def port(self) -> int:
        """The IMAP port (JAMS_DEV_IMAP_PORT overrides it)."""
        return int(os.environ.get("JAMS_DEV_IMAP_PORT") or DEFAULT_PORT)

    @property
    def config_file(self) -> Path:
        return self.state_dir / "dovecot.conf"

    @property
    def password_file(self) -> Path:
        return self.state_dir / "password"

    def install(self) -> list[str]:
        """apt-get install Dovecot's IMAP server when missing (root only)."""
        if BINARY.exists():
            return []
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            raise DevServiceError(f"dovecot is missing: run `sudo apt-get install -y {PACKAGE}`")
        return [timed("apt-get installed", lambda: apt_install([PACKAGE], self.state_dir))]

    def prepare(self) -> list[str]:
        """Write dovecot.conf and the one user's password file."""
        password = persistent_secret(self.password_file)
        mail = self.state_dir / "mail"
        for folder in (mail, self.state_dir / "run", self.state_dir / "state"):
            folder.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "users").write_text(f"{USER}:{{PLAIN}}{password}::::::\n")
        if os.geteuid() == 0:
            owner, login = pwd.getpwnam("dovecot"), "dovenull"
            os.chown(mail, owner.pw_uid, owner.pw_gid)
        else:
            owner = pwd.getpwuid(os.geteuid())
            login = owner.pw_name
        group = grp.getgrgid(owner.pw_gid).gr_name
        self.config_file.write_text(
            _config(self.state_dir, self.port, owner.pw_name, group, login))
        return []

    def launch(self) -> subprocess.Popen[bytes]:
        """Dovecot in the foreground of its own detached session."""
        return spawn([str(BINARY), "-F", "-c", str(self.config_file)], log=self.log,
                     pidfile=self.pidfile, cwd=self.state_dir)

    def probe(self) -> None:
        """A login and a SELECT of the inbox."""
        import imaplib

        try:
            with imaplib.IMAP4(HOST, self.port, timeout=2) as client:
                client.login(USER, self.password_file.read_text().strip())
                status, _ = client.select(MAILBOX)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise DevServiceError(f"IMAP not answering: {exc}") from exc
        if status != "OK":
            raise DevServiceError(f"IMAP SELECT answered {status}")

    def env(self) -> dict[str, str]:
        """JAMS_CONFIRMATION_IMAP_URL: the mailbox the candidates' confirmations arrive in."""
        try:
            password = self.password_file.read_text().strip()
        except FileNotFoundError:
            return {}
        return {"JAMS_CONFIRMATION_IMAP_URL":
                f"imap://{USER}:{quote(password, safe='')}@{HOST}:{self.port}/{MAILBOX}"}


def _config(state: Path, port: int, internal: str, group: str, login: str) -> str:
    return f"""\
protocols = imap
listen = {HOST}
base_dir = {state / "run"}
state_dir = {state / "state"}
instance_name = jams-dev-imap
log_path = {state / "dovecot.log"}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
mail_location = maildir:{state / "mail"}/%n
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {state / "users"}
}}
userdb {{
  driver = static
  args = uid={internal} gid={group} home={state / "mail"}/%n
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {HOST}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
