"""The package's public names: listed in __all__, each the object its home module defines, loaded on first use."""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys

import movierec


def test_every_public_name_resolves_to_its_home_modules_object():
    assert movierec.__all__[0] == "__version__" and len(set(movierec.__all__)) == len(movierec.__all__)
    for name in movierec.__all__[1:]:
        home = importlib.import_module(movierec._HOMES[name])
        assert getattr(movierec, name) is getattr(home, name), name
        assert name in dir(movierec)


def test_no_public_name_is_also_a_submodule_name():
    # A submodule import sets the package attribute of the same name, which would hide the public object.
    for name in movierec.__all__:
        assert importlib.util.find_spec(f"movierec.{name}") is None, name


def test_importing_the_package_loads_neither_torch_nor_pandas():
    code = "import sys, movierec; print('torch' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_the_public_suggestion_path_keeps_its_names():
    import movierec.recommend as public
    from movierec.suggest import foldin, recommend

    assert public.fold_in is movierec.fold_in is foldin.fold_in and foldin.fold_in.__module__ == foldin.__name__
    assert public.recommend is recommend.recommend and public.similar_movies is movierec.similar_movies
    assert public.__all__ == ["fold_in", "recommend", "similar_movies"]
