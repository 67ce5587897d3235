"""Says, as one JSON line on stdout, whether this Python can run local mode's moto server.

Used by local/prerequisites.ts before anything else starts. Written for any Python 3 (no f-strings)
so that an old interpreter reports its version instead of failing to parse this file.

Fields: python (version), executable, moto (version) or motoError, serverMissing (the distributions
of moto's [server] extra that are not installed, from moto's own metadata), serverError (importing
moto.server, which needs flask and flask_cors, failed: why).
"""
import json
import re
import sys
import warnings

report = {"python": "%d.%d.%d" % tuple(sys.version_info[:3]), "executable": sys.executable}
try:
    import moto

    report["moto"] = getattr(moto, "__version__", "unknown")
except Exception as error:  # ImportError, or a broken install
    report["motoError"] = "%s: %s" % (type(error).__name__, error)
else:
    missing = []
    try:
        from importlib import metadata

        for requirement in metadata.requires("moto") or []:
            if not re.search(r"""extra\s*==\s*["']server["']""", requirement):
                continue
            name = re.split(r"[\s;<>=!~\[(]", requirement, 1)[0]
            try:
                metadata.distribution(name)
            except metadata.PackageNotFoundError:
                missing.append(name)
    except Exception:  # no metadata (a source checkout): the import below decides
        pass
    report["serverMissing"] = missing
    try:
        warnings.simplefilter("ignore")  # moto warns "install moto[server]" before re-raising
        import moto.server  # noqa: F401
    except Exception as error:
        report["serverError"] = "%s: %s" % (type(error).__name__, error)

print(json.dumps(report))
