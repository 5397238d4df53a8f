"""`cost catalog refresh`: bring the cached catalog up to date from the AWS Price List (Pricing API or the public
bulk files) and the Fargate Spot feed, then install it atomically after a diff and safety checks."""
