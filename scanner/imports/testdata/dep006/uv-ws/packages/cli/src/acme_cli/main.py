import typer
import acme_core
import yaml  # EXPECT PyYAML
app = typer.Typer()
