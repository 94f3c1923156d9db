"""Uploaded attachments: what a file is, what text it holds, and where its bytes live.

`sniff` decides a file's media type from its content alone (never its name);
`extract` turns an accepted document into plain text inside a disposable,
resource-limited child process so hostile files cost a bounded amount of time
and memory; `storage` stages uploads under a size limit and commits them
atomically; `samples` builds small valid PDF/DOCX documents for demos and tests.
"""
