"""`cost import terraform`: a sizing YAML from the Terraform that builds the stack (python-hcl2)."""
