"""gunicorn settings that belong to the code, not to one server: `-c python:firstline.gunicorn_conf`
(docs/deploy.md). Everything else (bind, workers, threads, log files) stays on the command line.
"""

# Access and error logs without the values of query strings: `?q=<ID number>` is a contract
# URL (firstline/logredact.py).
logger_class = "firstline.logredact.GunicornLogger"
