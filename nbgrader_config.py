"""nbgrader configuration for the numformat labs.

Run nbgrader from the repository root:

    nbgrader generate_assignment lab01_float_bits --force   # student copy in release/
    python tools/release_labs.py                            # every lab at once

Source notebooks live in labs/<lab>/<lab>.ipynb, with solutions and hidden tests marked as
nbgrader expects (schema 3).
"""

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.source_directory = "labs"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# What a student sees where a solution was: a clear placeholder that fails the tests.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Student copies carry no stale outputs from the instructor's run.
c.ClearOutput.enabled = True
# A notebook that loops forever must not hang the grader.
c.ExecutePreprocessor.timeout = 120
