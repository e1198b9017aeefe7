"""CsvFile.open on a named pipe that no one writes to: refused at once (review of 15b32de)."""

import os
import threading

from policies.imports.csvfile import CsvFile, FileRejected


def test_a_named_pipe_with_no_writer_is_refused_not_waited_on(tmp_path):
    """open() of a FIFO blocks until a writer opens it: the check after open() never runs."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    outcome = []

    def attempt():
        try:
            CsvFile.open(pipe)
            outcome.append("accepted")
        except FileRejected:
            outcome.append("refused")

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(timeout=3)
    hung = thread.is_alive()
    if hung:  # release it
        fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        thread.join(timeout=3)
    assert not hung, "CsvFile.open waited for a writer on the pipe"
    assert outcome == ["refused"]
