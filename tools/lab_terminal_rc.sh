# Start-up file of the bash terminals `make lab` opens (see tools/jupyter_lab_config.py): the
# user's own ~/.bashrc, then the course's .venv/bin first on PATH (COURSE_BIN, set by make lab).
[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"
[ -n "$COURSE_BIN" ] && export PATH="$COURSE_BIN:$PATH"
