"""Development entry point: `python app.py`. Production: gunicorn "app:server"."""

from dashboard import config
from dashboard.app import create_app

app = create_app()
server = app.server

if __name__ == "__main__":
    app.run(host=config.get("host"), port=config.get_int("port"), debug=config.get("debug") == "1")
