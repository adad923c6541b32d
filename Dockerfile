# Dues in a container: a slim Debian, the app as an unprivileged user, all state in /data.
# Build: podman build -t dues .   (or docker build -t dues .)

# Stage 1: the dependencies, installed into a virtual environment (no .pyc: they
# would add a fifth to the image, for a second saved at start).
FROM docker.io/library/debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates binutils \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml /src/pyproject.toml
COPY localization.py /src/formats.py
COPY docker/slim_locales.py /src/slim_locales.py
# The dependencies as pyproject.toml lists them (PostgreSQL's driver included).
RUN python3 -m venv /opt/dues \
 && python3 -c "import tomllib; p = tomllib.load(open('/src/pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['postgresql']))" > /src/requirements.txt \
 && /opt/dues/bin/pip install --no-cache-dir --no-compile --disable-pip-version-check -r /src/requirements.txt \
 && /opt/dues/bin/pip uninstall -y --disable-pip-version-check pip setuptools \
 && find /opt/dues -type d -name tests -prune -exec rm -rf {} + \
 && python3 /src/slim_locales.py /opt/dues \
 && find /opt/dues -name '*.so*' -type f -exec strip --strip-unneeded {} +

# Stage 2: the runtime only: no compiler, no pip, no caches, no manuals.
FROM docker.io/library/debian:bookworm-slim
RUN printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
      'path-exclude /usr/share/man/*' 'path-exclude /usr/share/locale/*' \
      > /etc/dpkg/dpkg.cfg.d/dues-slim \
 && apt-get update \
 && apt-get install -y --no-install-recommends python3 tini ca-certificates \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
 && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home dues \
 && mkdir /data && chown dues:dues /data && chmod 700 /data
COPY --from=build /opt/dues /opt/dues
WORKDIR /app
# The application: everything .dockerignore does not leave out (tests, docs, caches).
COPY . .
# The catalogs are compiled here, not committed.
RUN /opt/dues/bin/pybabel -q compile -d /app/translations \
 && python3 -m compileall -q /app
ENV PATH=/opt/dues/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DUES_INSTANCE_PATH=/data \
    DUES_HOST=0.0.0.0 \
    DUES_PORT=8080 \
    DUES_THREADS=8
USER dues
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['DUES_PORT'], timeout=4)"]
# tini as PID 1 passes SIGTERM on, so "stop" ends Dues in seconds, not by SIGKILL.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["flask", "--app", "app", "serve"]
