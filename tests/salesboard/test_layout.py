"""Where the pipeline's data lives (README, "Data directory"): `SALESBOARD_DATA_DIR`, by
default `data/` in the checkout, and always one absolute folder whoever asks."""

from __future__ import annotations

from pathlib import Path

from salesboard.layout import data_layout

CHECKOUT = Path(__file__).resolve().parents[2]  # the folder holding README.md


def test_without_the_variable_the_data_is_in_the_checkouts_data_folder():
    assert (CHECKOUT / "README.md").is_file()
    assert data_layout({}).root == CHECKOUT / "data"
    assert data_layout({"SALESBOARD_DATA_DIR": ""}).root == CHECKOUT / "data"


def test_a_relative_folder_is_taken_from_the_checkout_not_the_working_directory(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert data_layout({"SALESBOARD_DATA_DIR": "elsewhere"}).root == CHECKOUT / "elsewhere"
    assert data_layout({"SALESBOARD_DATA_DIR": str(tmp_path)}).root == tmp_path.resolve()
