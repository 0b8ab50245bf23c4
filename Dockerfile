# One container: the dashboard, its scheduler and (without a Google client) the sandbox.
# Not built by our CI (its machines have no Docker engine); it runs the same pinned setup
# as scripts/run.sh. Build: docker build -t tubefleet .
# Run:   docker run -p 3000:3000 -p 3001:3001 -v tubefleet-data:/data tubefleet
FROM python:3.11-slim

WORKDIR /app
COPY . .
# The virtualenv with the pinned packages (Node comes from PyPI, nothing else is needed).
RUN bash -c 'source scripts/lib.sh && ensure_venv runtime'

ENV TUBEFLEET_DATA_DIR=/data \
    TUBEFLEET_HOST=0.0.0.0 \
    TUBEFLEET_PUBLIC_URL=http://localhost:3000 \
    TUBEFLEET_SANDBOX_URL=http://localhost:3001 \
    TUBEFLEET_SANDBOX_HOST=0.0.0.0
VOLUME ["/data"]
# 3000: the dashboard. 3001: the sandbox's consent page and avatars (sandbox mode only).
EXPOSE 3000 3001
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4)"
CMD ["./scripts/run.sh"]
