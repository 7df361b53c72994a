# optiviz: one Streamlit server on port 8501, meant to run BEHIND nginx (docs/deploy.md).
#   docker build -t optiviz .
#   docker compose -f deploy/compose.yaml up -d --build      # nginx on :80 in front of two replicas
# Do not publish 8501 to the network (`docker run -p 8501:8501 ...`): students would reach Streamlit
# without nginx's gzip, limits and security headers, and with /_stcore/metrics and
# /_stcore/script-health-check open to all. To try the image alone, publish it on loopback only:
#   docker run -p 127.0.0.1:8501:8501 -e STREAMLIT_SERVER_COOKIE_SECRET=$(openssl rand -hex 32) optiviz
#
# Base image: pin it by digest for reproducible builds. No Docker engine ran where this file was
# written, so no digest could be read and none is invented here. On a machine with Docker:
#   docker pull python:3.11-slim
#   docker inspect --format '{{index .RepoDigests 0}}' python:3.11-slim   # python@sha256:<64 hex>
# and write the line below as  FROM python:3.11-slim@sha256:<64 hex>
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so that a code change rebuilds only the layers below.
COPY requirements.txt deploy/constraints.txt ./
RUN pip install -r requirements.txt -c constraints.txt

# The code stays owned by root: the server's user can read it, not change it.
COPY .streamlit/config.toml .streamlit/config.toml
COPY app.py ./
COPY optiviz optiviz
COPY pages pages
COPY deploy/healthcheck.py deploy/healthcheck.py

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin optiviz
USER 10001

# The port and address are read from the environment by the server (optiviz.ui.serve: `streamlit run app.py`)
# and deploy/healthcheck.py alike.
ENV STREAMLIT_SERVER_PORT=8501 \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0
EXPOSE 8501
# /_stcore/health, then a warm-up run of app.py (deploy/healthcheck.py); checked every second while starting.
HEALTHCHECK --interval=30s --timeout=25s --start-period=30s --start-interval=1s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]

# headless, no file watcher, no usage statistics: .streamlit/config.toml
CMD ["python", "-m", "optiviz.ui.serve"]
