"""The server's command line: local mode by default, sign-in when a secrets file has [auth]."""

from servicequality.ui import serve


def test_local_mode_binds_loopback_and_hides_tracebacks():
    argv = serve.streamlit_argv("127.0.0.1", 8501)
    assert argv[argv.index("--server.address") + 1] == "127.0.0.1"
    assert argv[argv.index("--client.showErrorDetails") + 1] == "none"
    assert "--secrets.files" not in argv


def test_a_secrets_file_is_handed_to_streamlit(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nredirect_uri = "http://127.0.0.1:8501/oauth2callback"\n', encoding="utf-8")
    argv = serve.streamlit_argv("127.0.0.1", 8501, secrets=secrets)
    assert argv[argv.index("--secrets.files") + 1] == str(secrets.resolve())
    assert serve.sign_in_configured(secrets)


def test_sign_in_is_configured_only_by_an_auth_section(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert not serve.sign_in_configured(None)  # no secrets file anywhere
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text('api_key = "x"\n', encoding="utf-8")
    assert not serve.sign_in_configured(None)  # secrets, but no [auth]
    (tmp_path / ".streamlit" / "secrets.toml").write_text('[auth]\nclient_id = "x"\n', encoding="utf-8")
    assert serve.sign_in_configured(None)
    (tmp_path / "broken.toml").write_text("[auth\n", encoding="utf-8")
    assert not serve.sign_in_configured(tmp_path / "broken.toml")


def test_serving_beyond_this_computer_without_sign_in_warns(monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    started = []
    monkeypatch.setattr("streamlit.web.cli.main", lambda: started.append(True))
    monkeypatch.setattr("sys.argv", list(__import__("sys").argv))  # main() sets Streamlit's command line
    try:
        serve.main(["--address", "0.0.0.0", "--port", "8599"])
    except SystemExit:
        pass
    assert started == [True]
    assert "without sign-in: anyone who can reach this address sees every branch" in capsys.readouterr().err
