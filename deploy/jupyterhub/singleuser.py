"""Each person's server on the hub: ``jupyterhub-singleuser``, with one piece of work left out.

Run by the hub as ``<venv>/bin/python singleuser.py ARGS`` (``c.Spawner.cmd`` in jupyterhub_config.py).
As JupyterLab is imported, it asks yarn, through ``node``, for the npm registry it would build
extensions from: a second program started at every server start (about 0.15 CPU-s of a start of 1),
for extensions nobody builds here (the environment belongs to root, and JupyterLab's extension manager
is read-only). JupyterLab asks only when ``node`` is on PATH, and ``node`` is on this machine for the
hub's proxy; so JupyterLab is imported with the folders holding ``node`` left off PATH, and PATH is
restored before anything else runs: the server, its kernels and its terminals get the PATH the hub
gave them. Everything else is ``jupyterhub-singleuser`` as it is. (The Kubernetes image has no
``node``, and runs ``jupyterhub-singleuser`` itself.) On the hub, ``prefork.py`` imports the same way
once, and runs :func:`main` in each person's forked server.
"""

import os
import shutil
import sys


def path_without(program: str, path: str) -> str:
    """``path`` without the folders in which ``program`` would be found."""
    return os.pathsep.join(folder for folder in path.split(os.pathsep) if not shutil.which(program, path=folder))


def import_lab() -> None:
    """Import JupyterLab's server side with ``node`` off PATH, then restore PATH as it was."""
    path = os.environ.get("PATH")
    os.environ["PATH"] = path_without("nodejs", path_without("node", os.defpath if path is None else path))
    try:
        import jupyterlab.labapp  # noqa: F401 - imported here, without node on PATH
    finally:
        if path is None:
            del os.environ["PATH"]
        else:
            os.environ["PATH"] = path


def main() -> None:
    import_lab()
    from jupyterhub.singleuser import main as singleuser

    sys.exit(singleuser())


if __name__ == "__main__":
    main()
