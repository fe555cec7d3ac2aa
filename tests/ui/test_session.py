"""Sign-in settings: local mode only without any secrets file; a file that cannot be read lets
nobody in (it must never fall back to local mode's every right)."""

import pytest
import streamlit as st
from streamlit import config

from servicequality.ui import session


@pytest.fixture()
def secrets_files():
    """Point Streamlit's secrets at the given files for one test."""
    before = config.get_option("secrets.files")

    def use(*paths):
        config.set_option("secrets.files", [str(p) for p in paths])
        st.secrets._reset()

    yield use
    config.set_option("secrets.files", before)
    st.secrets._reset()


def test_no_secrets_file_is_local_mode(tmp_path, secrets_files):
    secrets_files(tmp_path / "missing.toml")
    assert session.sign_in_configured() is False


def test_an_auth_section_turns_sign_in_on(tmp_path, secrets_files):
    path = tmp_path / "secrets.toml"
    path.write_text('[auth]\nclient_id = "x"\n', encoding="utf-8")
    secrets_files(path)
    assert session.sign_in_configured() is True
    path.write_text('api_key = "x"\n', encoding="utf-8")
    secrets_files(path)
    assert session.sign_in_configured() is False


def test_a_secrets_file_that_cannot_be_read_lets_nobody_in(tmp_path, secrets_files):
    path = tmp_path / "secrets.toml"
    path.write_text('[auth]\nclient_id = "x"\nthis is not toml\n', encoding="utf-8")
    secrets_files(path)
    with pytest.raises(session.SignInSettingsError):
        session.sign_in_configured()
