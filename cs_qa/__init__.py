"""cs-qa: quality assurance (质检) for Chinese customer-service transcripts."""

__version__ = "0.1.0"
