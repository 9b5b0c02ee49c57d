"""The offline engine: run a program under Pulumi's mock runtime, record what it registers, drive the real pack."""
