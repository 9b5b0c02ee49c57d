"""azure-dr: one program, one stack per region. Validate config, build the region, export the contract."""

import pulumi

from azure_dr.components.stack.config import load_config
from azure_dr.components.stack.contract import PeerContract, export_contract
from azure_dr.components.stack.pairnetwork import PEER_NETWORK_KEYS, check_pair_network
from azure_dr.components.stack.pairsize import PEER_SIZE_KEYS, check_pair_sizes
from azure_dr.components.stack.region import PEER_POSTGRES_KEYS, DrRegion, DrRegionArgs

config = load_config()
peer = PeerContract(config.peer_stack) if config.peer_stack else None
peer_values = peer.read(PEER_SIZE_KEYS + PEER_NETWORK_KEYS + PEER_POSTGRES_KEYS) if peer is not None else {}
if peer is not None:  # linked sizes and the network against the peer's exports, before anything is registered
    check_pair_sizes(config, peer_values, pulumi.get_project())
    check_pair_network(config, pulumi.get_stack(), peer_values, pulumi.get_project())
region = DrRegion(
    f"{config.workload}-{config.region}",
    DrRegionArgs(
        config=config,
        peer=peer,
        peer_network={k: peer_values.get(k) for k in PEER_NETWORK_KEYS},
        peer_postgres={k: peer_values.get(k) for k in PEER_POSTGRES_KEYS},
    ),
)
export_contract(region.contract)
