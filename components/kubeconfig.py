"""The cluster's user kubeconfig, made usable without a person at a keyboard.

With Entra ID RBAC and local accounts off, the only credentials are user credentials in ``exec`` format: the
kubeconfig runs ``kubelogin get-token`` (facts §8; Microsoft Learn, "Use kubelogin to authenticate users in
AKS"). AKS writes ``--login devicecode`` into it, which waits for a browser; the deployment instead needs the
login mode of whoever runs ``pulumi up`` (``azurecli`` after ``az login``, ``workloadidentity`` in CI with
OIDC). kubelogin's ``get-token`` takes the mode from ``--login`` or the ``AAD_LOGIN_METHOD`` variable
(kubelogin README, "get-token" flags), so both are set here.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from ruamel.yaml import YAML


def with_login_mode(kubeconfig_b64: str, login: str) -> str:
    """Decode the base64 kubeconfig Azure returns and point every kubelogin user at ``login``."""
    yaml = YAML()  # round-trip: every other key, its order and quoting stay as AKS wrote them
    config: Any = yaml.load(base64.b64decode(kubeconfig_b64).decode())
    for user in config.get("users") or []:
        exec_ = (user.get("user") or {}).get("exec")
        if not exec_ or "kubelogin" not in str(exec_.get("command", "")):
            continue
        args = [str(a) for a in exec_.get("args") or []]
        if "--login" in args:
            args[args.index("--login") + 1] = login
        elif "-l" in args:
            args[args.index("-l") + 1] = login
        else:
            args += ["--login", login]
        exec_["args"] = args
        env = [e for e in exec_.get("env") or [] if e.get("name") != "AAD_LOGIN_METHOD"]
        exec_["env"] = [*env, {"name": "AAD_LOGIN_METHOD", "value": login}]
    out = io.StringIO()
    yaml.dump(config, out)
    return out.getvalue()
