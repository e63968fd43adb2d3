// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

interface IERC20 {
    function transfer(address to, uint256 value) external returns (bool);
}

/// Moves value with internal calls, so that a loader has to find transfers that no transaction
/// shows: ETH it receives goes on to a fixed destination (which may be another Forwarder); a call
/// with value that reverts inside a successful transaction moves nothing, not even what the
/// reverted call had already forwarded; tokens it holds leave by a contract-to-contract call.
contract Forwarder {
    address payable public immutable destination;

    constructor(address payable destination_) {
        destination = destination_;
    }

    receive() external payable {
        forward();
    }

    function forward() public payable {
        (bool ok, ) = destination.call{value: msg.value}("");
        require(ok, "forward failed");
    }

    /// Calls `to` with the ETH sent; if that call reverts the ETH stays here and the transaction
    /// still succeeds.
    function tryCall(address payable to, bytes calldata data) external payable returns (bool ok) {
        (ok, ) = to.call{value: msg.value}(data);
    }

    /// Forwards the ETH sent, then reverts: the forward, though it succeeded, is undone.
    function refuse() external payable {
        forward();
        revert("refused");
    }

    function sendToken(IERC20 token, address to, uint256 value) external {
        require(token.transfer(to, value), "token transfer failed");
    }
}
