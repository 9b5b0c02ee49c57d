"""drctl: plan the azure-dr stacks offline under Pulumi's mock runtime and run the real policy pack over them."""
